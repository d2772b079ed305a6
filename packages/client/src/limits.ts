/**
 * The ranges FC 3.0 puts on session and function fields, in one place: the client's validator,
 * the emulator's request parser and the plugin's settings all read them from here. Values marked
 * "guess" are not in FC's documentation (see the client README).
 */

/** `sessionTTLInSeconds`. */
export const SESSION_TTL = { min: 1, max: 21600 } as const;
/** `sessionIdleTimeoutInSeconds` (0: no idle timeout). */
export const SESSION_IDLE_TIMEOUT = { min: 0, max: SESSION_TTL.max } as const;
/** `sessionConcurrencyPerInstance` of a function's `sessionAffinityConfig`. */
export const SESSION_CONCURRENCY_PER_INSTANCE = { min: 1, max: 200 } as const;
/** ListSessions `limit` (the maximum is a guess). */
export const LIST_LIMIT = { min: 1, max: 100 } as const;
/** What ListSessions' `sessionStatus` filter takes (`Paused` is a guess). */
export const SESSION_STATUSES = ['Active', 'Paused', 'Expired'] as const;

/** A function's `timeout`, in seconds. */
export const FUNCTION_TIMEOUT = { min: 1, max: 86400 } as const;

/** `userId` / `groupId` of a NAS or PolarFS mount config (a guess: POSIX ids, -1 for "not set"). */
export const MOUNT_POSIX_ID = { min: -1, max: 65535 } as const;
/** Mount points in one mount config (a guess). */
export const MOUNT_POINTS_MAX = 5;
/** Length of a mount path or address (a guess). */
export const MOUNT_TEXT_MAX_LENGTH = 1024;
/** An OSS bucket name. */
export const OSS_BUCKET_NAME_MAX_LENGTH = 63;

/** `description` of a version or an alias (a guess). */
export const DESCRIPTION_MAX_LENGTH = 256;
/** ListFunctionVersions' `direction`. */
export const VERSION_DIRECTIONS = ['FORWARD', 'BACKWARD'] as const;
/** A canary weight in an alias's `additionalVersionWeight`; the weights together are at most `max`. */
export const VERSION_WEIGHT = { min: 0, max: 1 } as const;

/** The SDK's `AsyncTask.status` values, also ListAsyncTasks' `status` filter. */
export const ASYNC_TASK_STATUSES = [
  'Enqueued',
  'Dequeued',
  'Running',
  'Succeeded',
  'Failed',
  'Stopped',
  'Stopping',
  'Expired',
  'Invalid',
  'Retrying',
] as const;
/** `maxAsyncRetryAttempts` (FC's default is 3). */
export const ASYNC_RETRY_ATTEMPTS = { min: 0, max: 8 } as const;
/** `maxAsyncEventAgeInSeconds` (FC's default is 86 400). */
export const ASYNC_EVENT_AGE = { min: 1, max: 604_800 } as const;

/** A text field's shape: the pattern, and the rule an error states. */
export interface TextRule {
  readonly pattern: RegExp;
  readonly rule: string;
}

export const FUNCTION_NAME: TextRule = {
  pattern: /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/,
  rule: 'must be 1-128 characters of letters, digits, "_" and "-", starting with a letter or "_"',
};
export const SESSION_ID: TextRule = {
  pattern: /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/,
  rule: 'must be 1-64 characters of letters, digits, "_" and "-", not starting with "-"',
};
export const QUALIFIER: TextRule = {
  pattern: /^[A-Za-z0-9_][A-Za-z0-9_-]{0,127}$/,
  rule: 'must be LATEST, a version number or an alias name (1-128 of letters, digits, "_", "-")',
};
export const REGION: TextRule = { pattern: /^[a-z]{2,}-[a-z0-9-]+$/, rule: 'must be a region id such as cn-hangzhou' };
export const ACCOUNT_ID: TextRule = { pattern: /^\d{1,32}$/, rule: 'must be the numeric account id' };
/** A published version: `1`, `2`, ... */
export const VERSION_ID: TextRule = {
  pattern: /^[1-9][0-9]{0,9}$/,
  rule: 'must be a published version number such as "1" or "12"',
};
/** An alias name (`LATEST` is refused separately: it is no alias). */
export const ALIAS_NAME: TextRule = FUNCTION_NAME;
/** An async task id (FC 3.0) or stateful async invocation id (FC 2.0). */
export const ASYNC_TASK_ID: TextRule = FUNCTION_NAME;
