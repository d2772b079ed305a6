import { backoffDelay, type FcClient } from '@fc-sessions/client';
import { KEEP_ALIVE_EVENT, KEEP_ALIVE_HEADER } from '@fc-sessions/runtime/keep-alive';
import { fieldsOf, keysIn, plainSource, type Resolved, resolveSettings } from '../settings/resolve.js';
import { withDeadline } from './deadline.js';
import { EXIT, type ErrorSummary, isNotFound, PluginError, summarizeError } from './errors.js';
import { checkKeepSettings } from './keep-checks.js';
import { lockManifest } from './lock.js';
import { type ListingApi, ListedSessions, listedPath } from './listed-sessions.js';
import { type ManifestSession, ManifestStore, manifestPath, type SessionRecords } from './manifest.js';
import { mapLimit, pause } from './pool.js';
import {
  convergeSessions,
  emitLockWarning,
  emptyResult,
  isComplete,
  type ManifestLocation,
  type PrefetchedSession,
  type PrefetchResult,
  type SessionApi,
} from './prefetch.js';
import { PREFETCH_KEYS, type PrefetchKey } from './prefetch-options.js';

/** The client calls the keeper makes: prefetch's, and invoke for keep-alives. */
export type KeeperApi = SessionApi & Pick<FcClient, 'invoke'>;

/** One function's records for one reconcile, and how to let go of them (a lock, an open file). */
export interface OpenRecords {
  records: SessionRecords;
  release(): Promise<void>;
}

/**
 * Where a reconcile reads and records each function's sessions: a manifest under its lock
 * (`manifestState`: `fcs keep`, `s keep`), or FC's list of the sessions with the id prefix
 * (`listedState`: the keeper on FC). The reconcile itself is the same.
 */
export interface SessionState {
  /** Where a function's records are, for reports (known before `open`). */
  where(functionName: string): string;
  open(functionName: string, signal: AbortSignal): Promise<OpenRecords>;
}

/** The manifests in `location`, each held under its lock for a reconcile (as prefetch holds it). */
export function manifestState(
  settings: Pick<KeepSettings, 'qualifier' | 'timeoutSeconds'>,
  location: ManifestLocation & Pick<KeepOptions, 'onWarning'>,
): SessionState {
  const key = (functionName: string) => ({
    region: location.region,
    functionName,
    qualifier: settings.qualifier,
    endpoint: location.endpoint,
  });
  return {
    where: (functionName) => manifestPath(location.manifestDir, key(functionName)),
    async open(functionName, signal) {
      // Read once per reconcile: the lock taken next keeps every other writer out until it is released.
      const store = new ManifestStore(location.manifestDir, key(functionName), { held: true });
      const lock = await lockManifest(store.path, {
        timeoutSeconds: settings.timeoutSeconds,
        signal,
        onWarning: location.onWarning ?? emitLockWarning,
      });
      return {
        records: store,
        async release() {
          await store.close();
          await lock.release();
        },
      };
    },
  };
}

/**
 * FC's own list of each function's sessions whose id starts with `idPrefix` (no manifest, no lock:
 * see `adoptSessions` for how a run reads its state back). Runs must not overlap: the timer
 * trigger's schedule is longer than a run.
 */
export function listedState(
  client: ListingApi,
  settings: Pick<KeepSettings, 'qualifier' | 'idPrefix' | 'renewBeforeSeconds' | 'graceSeconds'>,
  region: string,
): SessionState {
  const key = (functionName: string) => ({ ...settings, functionName, region });
  return {
    where: (functionName) => listedPath(key(functionName)),
    async open(functionName, signal) {
      return { records: new ListedSessions(client, key(functionName), signal), release: async () => {} };
    },
  };
}

type KeepOnlyKey = 'functionNames' | 'intervalSeconds' | 'renewBeforeSeconds' | 'graceSeconds' | 'keepAlive' | 'once';
/** The settings the keeper reads: prefetch's (but one function name) and its own (marked `keep` in `SETTINGS`). */
export const KEEP_KEYS = [
  ...PREFETCH_KEYS.filter((key) => key !== 'functionName'),
  ...(keysIn('keep') as KeepOnlyKey[]),
] as const;
type KeepKey = Exclude<PrefetchKey, 'functionName'> | KeepOnlyKey;
export type KeepSettings = Resolved<KeepKey, 'functionNames' | 'count'>;

/** `keepSessions`' options: its settings (see `SETTINGS`) and where the manifests are. */
export interface KeepOptions extends Partial<Omit<KeepSettings, 'functionNames'>>, ManifestLocation {
  functionNames: readonly string[];
  count: number;
  /** Told when a stale manifest lock is taken over; default `process.emitWarning`. */
  onWarning?: ((message: string) => void) | undefined;
}

export interface KeepHooks {
  /** Stops the keeper: the reconcile running finishes, its locks are released, sessions stay as they are. */
  signal?: AbortSignal | undefined;
}

/** What a reconcile counted (for one function, or summed over all of them). */
export interface KeepCounts {
  desired: number;
  /** Active sessions holding a slot after the reconcile. */
  active: number;
  /** New sessions (replacements of lost and renewed ones, and top-ups). */
  created: number;
  /** Sessions near the end of their TTL whose slot was given to a new session (they retire after the grace). */
  renewed: number;
  /** Sessions found lost (expired, deleted by someone else, gone with their instance) or of an older function revision. */
  replaced: number;
  /** Renewed sessions deleted once their grace had passed. */
  retired: number;
  /** Idle sessions sent the keep-alive event. */
  keptAlive: number;
  /** Calls that failed (creates, checks, deletes and trims of extras, keep-alives), or the whole target. */
  failed: number;
  /** Renewed sessions still serving their callers, not counted in `active` (the surge). */
  retiring: number;
}

const COUNT_KEYS = [
  'desired',
  'active',
  'created',
  'renewed',
  'replaced',
  'retired',
  'keptAlive',
  'failed',
  'retiring',
] as const satisfies readonly (keyof KeepCounts)[];

/** What one reconcile did for one function@qualifier. */
export interface KeepTargetReport extends KeepCounts {
  functionName: string;
  qualifier: string;
  /** The first errors met (at most 5). */
  errors: ErrorSummary[];
  manifestPath: string;
  /** The Active sessions holding a slot after the reconcile, by slot (`reused`: it was there before). */
  sessions: PrefetchedSession[];
  /** Live sessions beyond `desired` left in place (their DeleteSession failed; with `trim: false`, kept), highest slot first. */
  extras: string[];
  /** As prefetch's `complete`: `desired` Active, with `trim` exactly that many (no extras left). */
  complete: boolean;
}

/** One reconcile over every function the keeper manages. */
export interface KeepReport extends KeepCounts {
  /** 1 for the first reconcile. */
  reconcile: number;
  startedAt: string;
  /** Every target is `complete` (with `trim`: exactly `desired` Active) and nothing failed. */
  converged: boolean;
  /** FC throttled a call: the next reconcile waits longer (full-jitter back-off). */
  throttled: boolean;
  durationMs: number;
  /** When the next reconcile starts, from now (undefined: none, the keeper stops). */
  nextInMs: number | undefined;
  targets: KeepTargetReport[];
}

/** Longest extra wait after throttled reconciles, as a multiple of the interval. */
const BACKOFF_INTERVALS = 10;
const MAX_ERRORS = 5;

/**
 * Keeps `count` Active sessions for every function of `functionNames` on `qualifier`, one
 * reconcile per `intervalSeconds`, and yields what each reconcile did. Options are checked now,
 * before any call (an error names the field). Each reconcile, per function, holds the manifest's
 * lock (as prefetch does) and: deletes renewed sessions whose grace has passed (only once the
 * others are at the count), renews sessions within `renewBeforeSeconds` of their TTL's end (their
 * slot is freed, a replacement is created into it, the old session keeps serving for
 * `graceSeconds`), converges to `count` as prefetch does (lost sessions are replaced), and with
 * `keepAlive: 'invoke'` sends idle sessions the keep-alive event. With `once`, one reconcile.
 */
export function keepSessions(
  client: KeeperApi,
  options: KeepOptions,
  hooks: KeepHooks = {},
): AsyncGenerator<KeepReport, void, undefined> {
  return keepChecked(client, readKeepSettings(options), options, hooks);
}

/** `keepSessions` with settings a front door has already checked (with `checkKeepSettings` too). */
export function keepChecked(
  client: KeeperApi,
  settings: KeepSettings,
  location: ManifestLocation & Pick<KeepOptions, 'onWarning'>,
  hooks: KeepHooks = {},
): AsyncGenerator<KeepReport, void, undefined> {
  return keep(client, settings, manifestState(settings, location), hooks.signal);
}

/**
 * One reconcile (`once`) whose records are FC's list of the sessions with `settings.idPrefix`
 * (see `listedState`): the keeper function a timer trigger runs on FC. Settings are checked by the caller.
 */
export async function reconcileListed(
  client: KeeperApi & ListingApi,
  settings: KeepSettings,
  region: string,
): Promise<KeepReport> {
  const reports = keep(client, { ...settings, once: true }, listedState(client, settings, region), undefined);
  const { value } = await reports.next();
  return value as KeepReport;
}

/** Checks the keeper's options as `keepSessions` does (a front door passes sources that name fields its way). */
export function readKeepSettings(options: object): KeepSettings {
  const known = [...KEEP_KEYS, 'manifestDir', 'region', 'endpoint', 'onWarning'];
  const settings = resolveSettings(KEEP_KEYS, [plainSource(options, known)], {
    required: { functionNames: 'the functions to keep sessions for', count: 'how many sessions to keep' },
    env: {},
  });
  checkKeepSettings(settings, fieldsOf([plainSource(options)], {}));
  return settings;
}

async function* keep(
  client: KeeperApi,
  settings: KeepSettings,
  state: SessionState,
  stop: AbortSignal | undefined,
): AsyncGenerator<KeepReport, void, undefined> {
  /** Per function: when the keeper last invoked each session (keep-alive). */
  const touched = new Map<string, Map<string, number>>();
  let throttledRounds = 0;
  for (let reconcile = 1; ; reconcile++) {
    const started = Date.now();
    const targets = await mapLimit(settings.functionNames, settings.concurrency, (functionName) =>
      keepTarget(client, settings, functionName, state, touchedOf(touched, functionName)),
    );
    const report = summarize(reconcile, started, targets);
    throttledRounds = report.throttled ? throttledRounds + 1 : 0;
    const interval = settings.intervalSeconds * 1000;
    const backoff =
      throttledRounds === 0
        ? 0
        : backoffDelay(throttledRounds, {
            maxAttempts: 10,
            baseDelayMs: interval,
            maxDelayMs: interval * BACKOFF_INTERVALS,
          });
    const last = settings.once || stop?.aborted === true;
    const delay = Math.max(0, interval - report.durationMs) + backoff;
    report.nextInMs = last ? undefined : delay;
    yield report;
    if (last || stop?.aborted) return;
    await pause(delay, stop);
    if (stop?.aborted) return;
  }
}

function touchedOf(all: Map<string, Map<string, number>>, functionName: string): Map<string, number> {
  const one = all.get(functionName) ?? new Map<string, number>();
  all.set(functionName, one);
  return one;
}

function summarize(reconcile: number, started: number, targets: KeepTargetReport[]): KeepReport {
  const counts = Object.fromEntries(
    COUNT_KEYS.map((key) => [key, targets.reduce((total, target) => total + target[key], 0)]),
  ) as Record<keyof KeepCounts, number>;
  return {
    reconcile,
    startedAt: new Date(started).toISOString(),
    ...counts,
    converged: targets.every((t) => t.complete && t.failed === 0),
    throttled: targets.some((t) => t.errors.some(isThrottle)),
    durationMs: Date.now() - started,
    nextInMs: undefined,
    targets,
  };
}

function isThrottle(error: ErrorSummary): boolean {
  return error.status === 429 || /throttl|toomanyrequests/i.test(error.code);
}

function expiresAtMs(session: ManifestSession): number | undefined {
  if (!session.createdTime || session.sessionTTLInSeconds === undefined) return undefined;
  const created = Date.parse(session.createdTime);
  return Number.isNaN(created) ? undefined : created + session.sessionTTLInSeconds * 1000;
}

/**
 * One reconcile of one function@qualifier, under its manifest's lock. Failures are in the report;
 * only a usage error (e.g. a function whose affinity cannot take sessions) is thrown: it stops the keeper.
 */
async function keepTarget(
  client: KeeperApi,
  settings: KeepSettings,
  functionName: string,
  state: SessionState,
  touched: Map<string, number>,
): Promise<KeepTargetReport> {
  const { qualifier, count } = settings;
  const path = state.where(functionName);
  const report: KeepTargetReport = {
    functionName,
    qualifier,
    ...(Object.fromEntries(COUNT_KEYS.map((key) => [key, 0])) as Record<keyof KeepCounts, number>),
    desired: count,
    errors: [],
    manifestPath: path,
    sessions: [],
    extras: [],
    complete: false,
  };
  const failed = (error: unknown) => {
    report.failed++;
    if (report.errors.length < MAX_ERRORS) report.errors.push(summarizeError(error));
  };
  // The caller's stop does not cut a reconcile short: it is bounded by its own timeout.
  const deadline = withDeadline(settings.timeoutSeconds * 1000);
  const signal = deadline.signal;
  const result = emptyResult({ functionName, qualifier, count }, '', path);
  let store: SessionRecords | undefined;
  try {
    const opened = await state.open(functionName, signal);
    store = opened.records;
    try {
      await retireAndRenew(client, settings, functionName, store, report, failed, signal);
      await convergeSessions(
        client,
        { ...settings, functionName },
        { settleSeconds: settings.settleSeconds, onFunctionChange: settings.onFunctionChange },
        store,
        result,
        signal,
        undefined,
      );
      if (settings.keepAlive === 'invoke') {
        await keepAlive(client, settings, functionName, store, result, touched, report, failed, signal);
      }
    } finally {
      await opened.release();
    }
  } catch (error) {
    if (error instanceof PluginError && error.exitCode === EXIT.usage) throw error;
    failed(error);
  } finally {
    deadline.clear();
  }
  report.active = result.sessions.length;
  report.sessions = result.sessions.sort((a, b) => a.index - b.index);
  report.extras = result.extras;
  report.complete = isComplete(result, settings);
  report.created = result.created.length;
  report.replaced = result.expired.length + result.replaced.length;
  report.failed += result.failed.length + result.unverified.length;
  for (const f of [...result.failed, ...result.unverified]) {
    if (report.errors.length < MAX_ERRORS) report.errors.push(f.error);
  }
  report.retiring = store?.sessions.filter((s) => s.state === 'retiring').length ?? 0;
  return report;
}

/**
 * Deletes retiring sessions whose grace has passed, once the others are at the count (a renewal
 * whose replacement failed keeps its old session serving), then frees the slots of sessions near
 * the end of their TTL (at most one retiring session per slot) so the converge step fills them.
 */
async function retireAndRenew(
  client: KeeperApi,
  settings: KeepSettings,
  functionName: string,
  store: SessionRecords,
  report: KeepTargetReport,
  failed: (error: unknown) => void,
  signal: AbortSignal,
): Promise<void> {
  const { qualifier } = settings;
  const { sessions } = await store.load();
  const now = Date.now();
  const holding = sessions.filter((s) => s.state === 'active').length;
  const due = sessions.filter((s) => s.state === 'retiring' && Date.parse(s.retireAt ?? '') <= now);
  if (holding >= settings.count) {
    await mapLimit(due, settings.concurrency, async (old) => {
      try {
        await client.deleteSession(functionName, old.sessionId, { qualifier, signal });
      } catch (error) {
        if (!isNotFound(error)) return failed(error);
      }
      await store.remove(old.sessionId);
      report.retired++;
    });
  }
  if (settings.renewBeforeSeconds === 0) return;
  const retiringSlots = new Set(store.sessions.filter((s) => s.state === 'retiring').map((s) => s.index));
  const renew = new Set(
    store.sessions
      .filter((s) => {
        const ends = expiresAtMs(s);
        return (
          s.state === 'active' &&
          !retiringSlots.has(s.index) &&
          // A TTL no longer than renewBeforeSeconds cannot be renewed ahead: such a session is replaced once lost.
          (s.sessionTTLInSeconds ?? 0) > settings.renewBeforeSeconds &&
          ends !== undefined &&
          ends - now <= settings.renewBeforeSeconds * 1000
        );
      })
      .map((s) => s.sessionId),
  );
  if (renew.size === 0) return;
  const retireAt = new Date(now + settings.graceSeconds * 1000).toISOString();
  await store.update((list) =>
    list.map((s) => (renew.has(s.sessionId) ? { ...s, state: 'retiring' as const, retireAt } : s)),
  );
  report.renewed = renew.size;
}

/**
 * Invokes, with the keep-alive event and header, each reused session whose idle timeout is more
 * than half spent since the keeper last touched it (or since it was made): a request resets the
 * idle clock (FC documents no other way: UpdateSession changes the timeouts, not the clock).
 */
async function keepAlive(
  client: KeeperApi,
  settings: KeepSettings,
  functionName: string,
  store: SessionRecords,
  result: PrefetchResult,
  touched: Map<string, number>,
  report: KeepTargetReport,
  failed: (error: unknown) => void,
  signal: AbortSignal,
): Promise<void> {
  const { qualifier } = settings;
  const { sessions, route } = await store.load();
  const now = Date.now();
  const live = new Set(result.sessions.map((s) => s.sessionId));
  const recorded = new Set(sessions.map((s) => s.sessionId));
  for (const id of touched.keys()) if (!recorded.has(id)) touched.delete(id);
  const idle = sessions.filter((s) => {
    const timeout = s.sessionIdleTimeoutInSeconds ?? 0;
    if (!live.has(s.sessionId) || s.state !== 'active' || timeout <= 0) return false;
    const since = touched.get(s.sessionId) ?? Date.parse(s.createdTime ?? s.recordedAt);
    return now - since >= (timeout * 1000) / 2;
  });
  await mapLimit(idle, settings.concurrency, async (s) => {
    try {
      const answer = await client.invoke(functionName, {
        qualifier,
        body: KEEP_ALIVE_EVENT,
        headers: { [KEEP_ALIVE_HEADER]: '1' },
        session: route ? { id: s.sessionId, affinity: route.affinity, headerName: route.headerName } : s.sessionId,
        logType: 'None',
        signal,
      });
      touched.set(s.sessionId, Date.now());
      if (answer.errorType) {
        failed(new PluginError({ code: answer.errorType, message: `keep-alive of ${s.sessionId}: ${answer.text()}` }));
      } else report.keptAlive++;
    } catch (error) {
      failed(error);
    }
  });
}
