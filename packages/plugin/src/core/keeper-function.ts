import { type FcClient, nextFire, parseSchedule, type Schedule } from '@fc-sessions/client';
import { fieldsOf, type Resolved, resolveSettings, type Source } from '../settings/resolve.js';
import { KEEPER_ID_PREFIX, type SettingKey } from '../settings/settings.js';
import { type ErrorSummary, isNotFound, summarizeError } from './errors.js';
import { checkKeepSettings } from './keep-checks.js';
import { KEEP_KEYS, type KeepSettings } from './keeper.js';
import { isPrefixedId } from './listed-sessions.js';
import { mapLimit } from './pool.js';

/**
 * The settings the keeper function reads from its environment: the keeper's (one function, no
 * interval: the timer trigger's schedule is the interval; one reconcile per run) and `maxAttempts`.
 */
export const KEEPER_FUNCTION_KEYS = [
  'functionName',
  ...KEEP_KEYS.filter((key) => key !== 'functionNames' && key !== 'intervalSeconds' && key !== 'once'),
  'maxAttempts',
] as const satisfies readonly SettingKey[];
type KeeperFunctionKey = (typeof KEEPER_FUNCTION_KEYS)[number];
export type KeeperFunctionSettings = Resolved<KeeperFunctionKey, 'functionName' | 'count'>;

export { KEEPER_ID_PREFIX };
/** The keeper function's timer trigger. */
export const KEEPER_TRIGGER_NAME = 'fcs-keeper';
/** The keeper function's handler in its code (`index.js`, the bundle). */
export const KEEPER_HANDLER = 'index.handler';

const DAY_MS = 86_400_000;
/** How far past its first fire `shortestGapSeconds` looks at a cron schedule, and at most how many fires. */
const GAP_SPAN_MS = 32 * DAY_MS;
const GAP_FIRES = 3000;
/** At most how many fires it looks at around one change of a time zone's offset. */
const CHANGE_FIRES = 400;

/** The days within a year after `fromMs` in which `timeZone`'s offset from UTC changes. */
function offsetChanges(timeZone: string, fromMs: number): number[] {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  const offset = (ms: number) => format.formatToParts(ms).find((part) => part.type === 'timeZoneName')?.value;
  const changes: number[] = [];
  for (let day = fromMs; day < fromMs + 366 * DAY_MS; day += DAY_MS) {
    if (offset(day) !== offset(day + DAY_MS)) changes.push(day);
  }
  return changes;
}

/** The least gap (ms) between consecutive fires from the first one after `fromMs`, over `spanMs` or `fires` fires. */
function leastGap(schedule: Schedule, fromMs: number, spanMs: number, fires: number): number | undefined {
  let previous = nextFire(schedule, fromMs);
  if (previous === undefined) return undefined;
  const until = previous + spanMs;
  let least: number | undefined;
  for (let i = 0; i < fires && previous <= until; i++) {
    const next = nextFire(schedule, previous);
    if (next === undefined) break;
    least = Math.min(least ?? Number.POSITIVE_INFINITY, next - previous);
    previous = next;
  }
  return least;
}

/**
 * The least time in seconds between two fires of a timer trigger's `cronExpression`: the interval
 * of `@every <duration>`; for cron fields, the least gap between consecutive fires over the 32 days
 * from its first one after `fromMs` (at most 3,000 fires: a denser schedule's least gap is already
 * below 16 minutes), and with `CRON_TZ=` also over the day of each change of the zone's offset
 * within a year (a clock set back runs an hour's fires twice). Away from those changes a zone
 * shifts every fire alike, so the first scan is done in UTC, which is fast. undefined when it
 * fires less than twice in five years.
 */
export function shortestGapSeconds(cronExpression: string, fromMs = Date.now()): number | undefined {
  const schedule = parseSchedule(cronExpression, 'keeper.schedule');
  if (schedule.kind === 'every') return schedule.intervalSeconds;
  const gaps = [leastGap({ ...schedule, timeZone: undefined }, fromMs, GAP_SPAN_MS, GAP_FIRES)];
  for (const day of schedule.timeZone ? offsetChanges(schedule.timeZone, fromMs) : []) {
    gaps.push(leastGap(schedule, day - 3_600_000, DAY_MS + 7_200_000, CHANGE_FIRES));
  }
  const least = Math.min(...gaps.filter((gap): gap is number => gap !== undefined));
  return Number.isFinite(least) ? least / 1000 : undefined;
}

const envNameOf = (key: string) =>
  `FCS_KEEP_${key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toUpperCase()}`;

/** `FCS_KEEP_` and the setting's name in upper snake case: `sessionTTLInSeconds` is `FCS_KEEP_SESSION_TTL_IN_SECONDS`. */
export function keeperEnvName(key: KeeperFunctionKey): string {
  return envNameOf(key);
}

/** The keeper function's environment as a source of its settings, each named as its variable (empty: not set). */
function keeperSource(env: Readonly<Record<string, string | undefined>>): Source {
  const values = Object.fromEntries(KEEPER_FUNCTION_KEYS.map((key) => [key, env[keeperEnvName(key)] || undefined]));
  return { values, name: (key) => `$${envNameOf(key)}` };
}

/**
 * The keeper function of `functionName` on `qualifier`: `<function>--keeper`, and `--<qualifier>`
 * after it unless the qualifier is LATEST. undefined when that is longer than a function name may be.
 */
export function keeperFunctionName(functionName: string, qualifier: string): string | undefined {
  const name = `${functionName}--keeper${qualifier === 'LATEST' ? '' : `--${qualifier}`}`;
  return name.length <= 128 ? name : undefined;
}

/** The keeper function's environment variables for `settings` (unset and empty ones left out: the function reads them as unset). */
export function keeperEnvironment(settings: Partial<KeeperFunctionSettings>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of KEEPER_FUNCTION_KEYS) {
    const value: unknown = settings[key];
    if (value === undefined || value === null || value === '') continue;
    env[keeperEnvName(key)] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return env;
}

/** Reads and checks the keeper function's settings from its environment; an error names the variable. */
export function readKeeperEnvironment(env: Readonly<Record<string, string | undefined>>): KeepSettings & {
  maxAttempts: number | undefined;
} {
  const source = keeperSource(env);
  const read = resolveSettings(KEEPER_FUNCTION_KEYS, [source], {
    required: { functionName: 'the function to keep sessions for', count: 'how many sessions to keep' },
    env: {},
    keeper: true,
  });
  const { functionName, ...rest } = read;
  checkKeepSettings(rest, fieldsOf([source], {}));
  return {
    ...rest,
    functionNames: [functionName],
    intervalSeconds: 1,
    once: true,
  };
}

/** The keeper function `findKeeper` found. */
export interface FoundKeeper {
  name: string;
  env: Record<string, string>;
  /**
   * Each variable saying which target it keeps that is not valid (a line naming the variable, the
   * rule and the value): it is still the keeper, as its name and `FCS_KEEP_FUNCTION_NAME` say; its
   * own runs fail on the value (`readKeeperEnvironment` throws, naming it).
   */
  warnings: string[];
}

/**
 * The keeper function of `functionName@qualifier` and its environment, when it exists and keeps
 * that function on that qualifier. A function of that name whose `FCS_KEEP_FUNCTION_NAME` is not
 * `functionName` is not a keeper of it (made by hand, or the keeper of a function whose name has
 * `--keeper` in it): undefined. One whose `FCS_KEEP_QUALIFIER` cannot be read is found with a
 * warning, not skipped: its name already says the qualifier (`keeperFunctionName` gives one name
 * per function@qualifier), and skipping it would leave `fcs prune` with a keeper still running.
 */
export async function findKeeper(
  client: Pick<FcClient, 'getFunction'>,
  functionName: string,
  qualifier: string,
  signal?: AbortSignal,
): Promise<FoundKeeper | undefined> {
  const name = keeperFunctionName(functionName, qualifier);
  if (name === undefined) return undefined;
  let env: Record<string, string>;
  try {
    env = (await client.getFunction(name, { signal })).environmentVariables ?? {};
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  if (env[keeperEnvName('functionName')] !== functionName) return undefined;
  const warnings: string[] = [];
  try {
    const kept = resolveSettings(['qualifier'], [keeperSource(env)], { env: {}, keeper: true }).qualifier;
    if (kept !== qualifier) return undefined;
  } catch (error) {
    warnings.push(
      `the keeper function ${name}: ${summarizeError(error).message} (its name says it keeps ${functionName}@${qualifier})`,
    );
  }
  return { name, env, warnings };
}

/**
 * The id prefix of the keeper's sessions as its environment gives it (unset: the declared default,
 * `KEEPER_ID_PREFIX`). When the value is not valid: undefined, and a warning naming the variable.
 * Then removal deletes no session, and does not fall back to the default: the keeper's runs fail
 * reading that value before any call, so it made no session under it (nor can any session id
 * have it: an id is 1-64 of `[A-Za-z0-9_-]`, not starting with `-`, and the rule refuses exactly
 * the prefixes that would break that with 32 hex after them); sessions it made under an earlier
 * prefix cannot be told apart, and the default could match others' (a prefetch run with
 * `--id-prefix fcs-keep-` whose manifest is elsewhere). Those end with their TTL or idle timeout.
 */
function removalIdPrefix(
  name: string,
  env: Readonly<Record<string, string>>,
): { idPrefix: string | undefined; warning?: string } {
  try {
    return { idPrefix: resolveSettings(['idPrefix'], [keeperSource(env)], { env: {}, keeper: true }).idPrefix };
  } catch (error) {
    return {
      idPrefix: undefined,
      warning:
        `the keeper function ${name}: ${summarizeError(error).message}; removing it and deleting none of its sessions ` +
        '(its runs fail on that, so it made none under it; any it made before end with their TTL or idle timeout)',
    };
  }
}

/** The client calls `removeKeeper` makes. */
export type KeeperRemovalApi = Pick<
  FcClient,
  'getFunction' | 'iterateTriggers' | 'deleteTrigger' | 'deleteFunction' | 'iterateSessions' | 'deleteSession'
>;

/** What `removeKeeper` removed. */
export interface KeeperRemoval {
  functionName: string;
  triggers: string[];
  /** The keeper's sessions (its id prefix) deleted, or already gone. */
  deleted: string[];
  failed: { sessionId: string; error: ErrorSummary }[];
}

/**
 * Removes the keeper function of `functionName@qualifier` (`keeperFunctionName`), when there is one
 * that keeps that function: first its triggers (no run starts after that), then the function, then
 * the sessions it made (listed by its id prefix, read from its environment first). A run already
 * under way when the trigger goes may still create a session after the list was read: that one
 * ends with its TTL or idle timeout (FC documents no way to wait for a running invocation).
 * undefined when there is no such keeper. Everything it reads of the keeper's environment is read
 * before the first delete, and a value it cannot read does not stop it (`onWarning` is told):
 * stopping part way would leave a keeper without its trigger, or its sessions behind, and failing
 * before the first delete would leave a keeper running that the user asked to remove.
 */
export async function removeKeeper(
  client: KeeperRemovalApi,
  functionName: string,
  qualifier: string,
  options: {
    concurrency: number;
    signal?: AbortSignal | undefined;
    onWarning?: ((line: string) => void) | undefined;
  },
): Promise<KeeperRemoval | undefined> {
  const { signal } = options;
  const keeper = await findKeeper(client, functionName, qualifier, signal);
  if (keeper === undefined) return undefined;
  const { name, env } = keeper;
  const { idPrefix, warning } = removalIdPrefix(name, env);
  for (const line of [...keeper.warnings, ...(warning ? [warning] : [])]) options.onWarning?.(line);
  const removal: KeeperRemoval = { functionName: name, triggers: [], deleted: [], failed: [] };
  for await (const trigger of client.iterateTriggers(name, {}, { signal })) {
    await client.deleteTrigger(name, trigger.triggerName, { signal });
    removal.triggers.push(trigger.triggerName);
  }
  try {
    await client.deleteFunction(name, { signal });
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const ids: string[] = [];
  if (idPrefix !== undefined) {
    for await (const session of client.iterateSessions(functionName, { qualifier }, { signal })) {
      if (isPrefixedId(session.sessionId, idPrefix)) ids.push(session.sessionId);
    }
  }
  await mapLimit(ids, options.concurrency, async (sessionId) => {
    try {
      await client.deleteSession(functionName, sessionId, { qualifier, signal });
    } catch (error) {
      if (!isNotFound(error)) return void removal.failed.push({ sessionId, error: summarizeError(error) });
    }
    removal.deleted.push(sessionId);
  });
  return removal;
}
