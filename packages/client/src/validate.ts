import { FcError } from './errors.js';
import {
  ACCOUNT_ID,
  ASYNC_TASK_ID,
  FUNCTION_NAME,
  MOUNT_POINTS_MAX,
  MOUNT_POSIX_ID,
  MOUNT_TEXT_MAX_LENGTH,
  OSS_BUCKET_NAME_MAX_LENGTH,
  QUALIFIER,
  REGION,
  SESSION_CONCURRENCY_PER_INSTANCE,
  SESSION_ID,
  SESSION_IDLE_TIMEOUT,
  SESSION_TTL,
  type TextRule,
} from './limits.js';

export function invalid(field: string, value: unknown, rule: string): FcError {
  const shown =
    typeof value === 'string' ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value) : String(value);
  return new FcError({ code: 'InvalidArgument', field, message: `${field} ${rule}; got ${shown}` });
}

function pattern(field: string, value: unknown, re: RegExp, rule: string): void {
  if (typeof value !== 'string' || !re.test(value)) throw invalid(field, value, rule);
}

export function integerIn(field: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(field, value, `must be an integer from ${min} to ${max}`);
  }
}

export function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !allowed.includes(value as T))
    throw invalid(field, value, `must be one of ${allowed.join(', ')}`);
}

export function booleanOrUndefined(field: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') throw invalid(field, value, 'must be true or false');
}

const matches = (field: string, value: unknown, text: TextRule): void => pattern(field, value, text.pattern, text.rule);

export const validateFunctionName = (value: unknown, field = 'functionName'): void =>
  matches(field, value, FUNCTION_NAME);

export const validateSessionId = (value: unknown, field = 'sessionId'): void => matches(field, value, SESSION_ID);

export function validateQualifier(value: unknown, field = 'qualifier'): void {
  if (value !== undefined) matches(field, value, QUALIFIER);
}

export function validateRegion(value: unknown, field = 'region'): void {
  if (value !== undefined && value !== '') matches(field, value, REGION);
}

export function validateAccountId(value: unknown, field = 'accountId'): void {
  if (value !== undefined && value !== '') matches(field, value, ACCOUNT_ID);
}

export function validateAsyncTaskId(value: unknown, field = 'asyncTaskId'): void {
  if (value !== undefined) matches(field, value, ASYNC_TASK_ID);
}

export function validateAffinityHeaderName(value: unknown, field = 'affinityHeaderFieldName'): void {
  if (value === undefined) return;
  pattern(
    field,
    value,
    /^[A-Za-z][A-Za-z0-9_-]{4,39}$/,
    'must be 5-40 characters of letters, digits, "_" and "-", starting with a letter',
  );
  if ((value as string).toLowerCase().startsWith('x-fc-')) throw invalid(field, value, 'must not start with "x-fc-"');
}

export function validateSessionSettings(input: Record<string, unknown>, prefix = ''): void {
  integerIn(`${prefix}sessionTTLInSeconds`, input['sessionTTLInSeconds'], SESSION_TTL.min, SESSION_TTL.max);
  integerIn(
    `${prefix}sessionIdleTimeoutInSeconds`,
    input['sessionIdleTimeoutInSeconds'],
    SESSION_IDLE_TIMEOUT.min,
    SESSION_IDLE_TIMEOUT.max,
  );
  booleanOrUndefined(`${prefix}disableSessionIdReuse`, input['disableSessionIdReuse']);
  validateMountConfigs(input, prefix);
}

type FieldCheck = (field: string, value: unknown) => void;

const text =
  (maxLength = MOUNT_TEXT_MAX_LENGTH): FieldCheck =>
  (field, value) => {
    if (value === undefined) return;
    if (typeof value !== 'string' || value.length > maxLength)
      throw invalid(field, value, `must be a string of at most ${maxLength} characters`);
  };

const mountDir: FieldCheck = (field, value) => {
  text()(field, value);
  if (typeof value === 'string' && !value.startsWith('/')) throw invalid(field, value, 'must be an absolute path');
};

const flag: FieldCheck = (field, value) => booleanOrUndefined(field, value);
const posixId: FieldCheck = (field, value) => integerIn(field, value, MOUNT_POSIX_ID.min, MOUNT_POSIX_ID.max);

function fields(field: string, value: unknown, shape: Readonly<Record<string, FieldCheck>>): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(field, value, 'must be an object');
  for (const [key, entry] of Object.entries(value)) {
    const check = shape[key];
    if (!check)
      throw invalid(`${field}.${key}`, entry, `is not a field of ${field} (known: ${Object.keys(shape).join(', ')})`);
    check(`${field}.${key}`, entry);
  }
}

const mountPoints =
  (point: Readonly<Record<string, FieldCheck>>): FieldCheck =>
  (field, value) => {
    if (value === undefined) return;
    if (!Array.isArray(value) || value.length > MOUNT_POINTS_MAX)
      throw invalid(field, value, `must be a list of at most ${MOUNT_POINTS_MAX} mount points`);
    for (const [i, entry] of value.entries()) fields(`${field}[${i}]`, entry, point);
  };

/** The SDK's NASConfig, OSSMountConfig and PolarFsConfig, field by field. */
/** A secret (a JuiceFS token): the error says what is wrong without showing it. */
const secret: FieldCheck = (field, value) => {
  if (value !== undefined && (typeof value !== 'string' || value.length > MOUNT_TEXT_MAX_LENGTH))
    throw invalid(field, '(hidden)', `must be a string of at most ${MOUNT_TEXT_MAX_LENGTH} characters`);
};

const textList: FieldCheck = (field, value) => {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw invalid(field, value, 'must be a list of strings');
  for (const [i, entry] of value.entries()) text()(`${field}[${i}]`, entry);
};

const textMap: FieldCheck = (field, value) => {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(field, value, 'must be an object of name -> string');
  for (const [name, entry] of Object.entries(value)) text()(`${field}.${name}`, entry);
};

const MOUNT_SHAPES = {
  nasConfig: {
    userId: posixId,
    groupId: posixId,
    mountPoints: mountPoints({ serverAddr: text(), mountDir, enableTLS: flag }),
  },
  ossMountConfig: {
    mountPoints: mountPoints({
      bucketName: text(OSS_BUCKET_NAME_MAX_LENGTH),
      bucketPath: text(),
      endpoint: text(),
      mountDir,
      readOnly: flag,
    }),
  },
  polarFsConfig: {
    userId: posixId,
    groupId: posixId,
    mountPoints: mountPoints({ instanceId: text(), mountDir, remoteDir: text(), readOnly: flag }),
  },
  juiceFsConfig: {
    envs: textMap,
    mountPoints: mountPoints({ volumeName: text(), token: secret, remoteDir: text(), mountDir, args: textList }),
  },
} as const;

/** The mount configs of a session (`nasConfig`, `ossMountConfig`, `polarFsConfig`, `juiceFsConfig`), against the SDK's shapes. */
export function validateMountConfigs(input: Record<string, unknown>, prefix = ''): void {
  for (const key in MOUNT_SHAPES) {
    const value = input[key];
    if (value !== undefined) fields(`${prefix}${key}`, value, MOUNT_SHAPES[key as keyof typeof MOUNT_SHAPES]);
  }
}

/** One mount config, named `field` (e.g. `--nas-config`). */
export function validateMountConfig(kind: keyof typeof MOUNT_SHAPES, value: unknown, field: string = kind): void {
  fields(field, value, MOUNT_SHAPES[kind]);
}

export function validateAffinityConfig(
  config: Record<string, unknown> | undefined,
  field = 'sessionAffinityConfig',
): void {
  if (config === undefined) return;
  if (typeof config !== 'object' || config === null) throw invalid(field, config, 'must be an object');
  validateAffinityHeaderName(config['affinityHeaderFieldName'], `${field}.affinityHeaderFieldName`);
  integerIn(
    `${field}.sessionConcurrencyPerInstance`,
    config['sessionConcurrencyPerInstance'],
    SESSION_CONCURRENCY_PER_INSTANCE.min,
    SESSION_CONCURRENCY_PER_INSTANCE.max,
  );
  integerIn(`${field}.sessionTTLInSeconds`, config['sessionTTLInSeconds'], SESSION_TTL.min, SESSION_TTL.max);
  integerIn(
    `${field}.sessionIdleTimeoutInSeconds`,
    config['sessionIdleTimeoutInSeconds'],
    SESSION_IDLE_TIMEOUT.min,
    SESSION_IDLE_TIMEOUT.max,
  );
  booleanOrUndefined(`${field}.disableSessionIdReuse`, config['disableSessionIdReuse']);
}
