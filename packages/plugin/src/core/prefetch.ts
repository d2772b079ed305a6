import { createHash } from 'node:crypto';
import { type FcClient, type FunctionConfig, newSessionId, type Session } from '@fc-sessions/client';
import { canonicalJson } from '@fc-sessions/internals/canonical-json';
import { withDeadline } from './deadline.js';
import {
  EXIT,
  type ErrorSummary,
  isDefinitiveRefusal,
  isNotFound,
  PluginError,
  refusedOnEveryAttempt,
  summarizeError,
} from './errors.js';
import {
  isSettling,
  type ManifestRoute,
  type ManifestSession,
  ManifestStore,
  type SessionRecords,
} from './manifest.js';
import { lockManifest, type ManifestLock } from './lock.js';
import { mapLimit, pause } from './pool.js';
import { plainSource, resolveSettings } from '../settings/resolve.js';
import { PREFETCH_KEYS, PREFETCH_REQUIRED, type PrefetchSettings } from './prefetch-options.js';
import { fillTemplate } from './template.js';

/** The client calls prefetch and prune make. */
export type SessionApi = Pick<FcClient, 'getFunction' | 'getSession' | 'createSession' | 'deleteSession'>;

/** Affinities CreateSession applies to. */
export const PREFETCH_AFFINITIES = ['HEADER_FIELD', 'GENERATED_COOKIE'] as const;

export interface ManifestLocation {
  /** Folder of the manifests (absolute, or relative to the process cwd). */
  manifestDir: string;
  /** Region the function lives in; names the manifest file. */
  region: string;
  /**
   * The endpoint the client calls, when it is not FC's own (e.g. the emulator): its manifests are
   * kept apart in `<manifestDir>/<host>_<port>/` (see `manifestFolder`). Default: FC's.
   */
  endpoint?: string | undefined;
}

export type PrefetchEvent =
  | {
      type: 'checked';
      functionName: string;
      qualifier: string;
      active: number;
      expired: number;
      unverified: number;
      missing: number;
    }
  | { type: 'created'; sessionId: string; index: number; containerId: string | undefined; done: number; total: number }
  | { type: 'failed'; sessionId: string; index: number; error: ErrorSummary; done: number; total: number }
  | { type: 'trimmed'; sessionId: string };

/** What a prefetch run is told besides its settings. */
export interface PrefetchHooks {
  onProgress?: ((event: PrefetchEvent) => void) | undefined;
  /** Told when a stale manifest lock is taken over; default `process.emitWarning`. */
  onWarning?: ((message: string) => void) | undefined;
  signal?: AbortSignal | undefined;
}

/** `prefetchSessions`' options: its settings (see `SETTINGS`), where the manifest is, and hooks. */
export interface PrefetchOptions extends Partial<PrefetchSettings>, ManifestLocation, PrefetchHooks {
  functionName: string;
  count: number;
}

/**
 * What prefetch does with a live recorded session made for an older revision of the function
 * (other code or instance settings; see `functionRevision`): `SETTINGS.onFunctionChange`.
 */
export type FunctionChangePolicy = PrefetchSettings['onFunctionChange'];

const HOOKS = { onProgress: true, onWarning: true, signal: true } satisfies Record<keyof PrefetchHooks, true>;
const LOCATION = { manifestDir: true, region: true, endpoint: true } satisfies Record<keyof ManifestLocation, true>;
const PREFETCH_OPTION_KEYS = [...Object.keys(HOOKS), ...Object.keys(LOCATION), ...PREFETCH_KEYS];

/** Where lock warnings go when the caller gives no `onWarning`. */
export function emitLockWarning(message: string): void {
  process.emitWarning(message, 'FcSessionsWarning');
}

export interface PrefetchedSession {
  sessionId: string;
  index: number;
  containerId?: string | undefined;
  createdTime?: string | undefined;
  /** `createdTime` + TTL: the latest the session can live (idle expiry may come sooner). */
  expiresAt?: string | undefined;
  /** true when it existed before this run. */
  reused: boolean;
}

export interface FailedSession {
  sessionId: string;
  index: number;
  /**
   * `create`: its CreateSession failed, the slot is not filled. `trim`: the DeleteSession of a live
   * extra failed; the session is still Active, in `sessions` and `extras`.
   */
  action: 'create' | 'trim';
  error: ErrorSummary;
  /**
   * Still in the manifest: FC may have created it (no definite answer; prune or the next run settles
   * it), or it is an extra the run could not trim (always, the next run tries again).
   */
  recorded: boolean;
}

export interface PrefetchResult {
  functionName: string;
  qualifier: string;
  region: string;
  desired: number;
  /** The Active sessions this run knows of, by slot. */
  sessions: PrefetchedSession[];
  created: string[];
  reused: string[];
  /** Recorded sessions that had expired and were dropped from the manifest. */
  expired: string[];
  /** Live sessions beyond `desired` deleted (the highest slots: see `trim`). */
  trimmed: string[];
  /**
   * Live recorded sessions beyond `desired` this run left in place (`trim: false`, or their
   * DeleteSession failed), highest slot first: counted in `sessions`, so `sessions.length -
   * extras.length` is `desired` when the run reached it. Each run that leaves some warns.
   */
  extras: string[];
  /** Live sessions of an older function revision, deleted and made again (`onFunctionChange: 'recreate'`). */
  replaced: string[];
  /** Failed creates of slots still empty, then failed trims of extras still live (`action`). */
  failed: FailedSession[];
  /** Recorded sessions whose state could not be read; kept in the manifest, not counted. */
  unverified: { sessionId: string; error: ErrorSummary }[];
  /**
   * `desired` sessions are Active: with `trim` (the default) exactly that many, no extras left;
   * with `trim: false` at least that many (`extras` lists the rest).
   */
  complete: boolean;
  /** With `onFailure: 'warn'`: what went wrong when the run stopped early. */
  error?: ErrorSummary | undefined;
  manifestPath: string;
  durationMs: number;
}

function expiresAt(session: Pick<ManifestSession, 'createdTime' | 'sessionTTLInSeconds'>): string | undefined {
  if (!session.createdTime || session.sessionTTLInSeconds === undefined) return undefined;
  const created = Date.parse(session.createdTime);
  return Number.isNaN(created) ? undefined : new Date(created + session.sessionTTLInSeconds * 1000).toISOString();
}

function record(session: Session, index: number, recordedAt: string, functionRevision: string): ManifestSession {
  return {
    sessionId: session.sessionId,
    index,
    state: 'active',
    recordedAt,
    functionRevision,
    containerId: session.containerId,
    createdTime: session.createdTime,
    sessionTTLInSeconds: session.sessionTTLInSeconds,
    sessionIdleTimeoutInSeconds: session.sessionIdleTimeoutInSeconds,
  };
}

function prefetched(session: ManifestSession, reused: boolean): PrefetchedSession {
  return {
    sessionId: session.sessionId,
    index: session.index,
    containerId: session.containerId,
    createdTime: session.createdTime,
    expiresAt: expiresAt(session),
    reused,
  };
}

/** Refuses, before any session call, a function whose affinity cannot take sessions. */
export async function assertSessionCapable(
  client: Pick<FcClient, 'getFunction'>,
  functionName: string,
  qualifier: string,
  signal?: AbortSignal,
): Promise<ManifestRoute> {
  return sessionRoute(await client.getFunction(functionName, { qualifier, signal }), functionName);
}

/** How calls reach a function's sessions; refuses an affinity CreateSession does not apply to. */
function sessionRoute(fn: FunctionConfig, functionName: string): ManifestRoute {
  const affinity = fn.sessionAffinity ?? 'NONE';
  if (!(PREFETCH_AFFINITIES as readonly string[]).includes(affinity)) {
    throw new PluginError({
      code: 'AffinityUnsupported',
      field: 'functionName',
      exitCode: EXIT.usage,
      message:
        `function ${functionName} has sessionAffinity ${affinity}: CreateSession applies to HEADER_FIELD and ` +
        'GENERATED_COOKIE functions; set sessionAffinity (and sessionAffinityConfig) on the function first',
    });
  }
  return { affinity, headerName: fn.sessionAffinityConfig?.affinityHeaderFieldName };
}

/** The fields of a function that shape its instances: a change to any of them means new instances. */
const INSTANCE_FIELDS = [
  'codeChecksum',
  'runtime',
  'handler',
  'memorySize',
  'cpu',
  'diskSize',
  'gpuConfig',
  'timeout',
  'instanceConcurrency',
  'environmentVariables',
  'customRuntimeConfig',
  'instanceLifecycleConfig',
  'role',
  'layers',
  'internetAccess',
  'vpcConfig',
  'nasConfig',
  'ossMountConfig',
] as const;

/**
 * A short digest of what the function's instances are made of (code checksum and instance
 * settings, not the description or affinity): sessions recorded with another revision were bound
 * to instances of other code or settings.
 */
export function functionRevision(fn: Partial<Record<(typeof INSTANCE_FIELDS)[number], unknown>>): string {
  const picked = Object.fromEntries(INSTANCE_FIELDS.map((field) => [field, fn[field]]));
  return createHash('sha256').update(canonicalJson(picked)).digest('hex').slice(0, 16);
}

/** `assertSessionCapable` plus the function's revision, from one GetFunction. */
async function readSessionFunction(
  client: Pick<FcClient, 'getFunction'>,
  functionName: string,
  qualifier: string,
  signal: AbortSignal,
): Promise<{ route: ManifestRoute; revision: string }> {
  const fn = await client.getFunction(functionName, { qualifier, signal });
  return { route: sessionRoute(fn, functionName), revision: functionRevision(fn) };
}

/**
 * Makes sure `count` Active sessions exist for the function and qualifier: reads what it made
 * before (the manifest), drops the expired ones, tops up to `count` (lowest free slots first) and
 * deletes extras, the highest slots (with `trim: false` they are kept, listed in `extras` and
 * warned of). Every id is recorded before its CreateSession is sent, so an interrupted run loses
 * no session. The run holds the manifest's lock file (see `lockManifest`):
 * a second run on the same manifest waits for it, within its own `timeoutSeconds`. With
 * `onFailure: 'fail'` an incomplete run throws a `PluginError` `PrefetchIncomplete` carrying the
 * result (`ManifestLocked` when the lock stayed held); with `warn` it returns it.
 */
export async function prefetchSessions(client: SessionApi, options: PrefetchOptions): Promise<PrefetchResult> {
  const settings = resolveSettings(PREFETCH_KEYS, [plainSource(options, PREFETCH_OPTION_KEYS)], {
    required: PREFETCH_REQUIRED,
    env: {},
  });
  return prefetchChecked(client, settings, options);
}

/** `prefetchSessions` with settings a front door has already checked (once, naming fields its way). */
export async function prefetchChecked(
  client: SessionApi,
  settings: PrefetchSettings,
  options: ManifestLocation & PrefetchHooks,
): Promise<PrefetchResult> {
  const { settleSeconds, onFunctionChange } = settings;
  const started = Date.now();
  const store = new ManifestStore(options.manifestDir, {
    region: options.region,
    functionName: settings.functionName,
    qualifier: settings.qualifier,
    endpoint: options.endpoint,
  });
  const result = emptyResult(settings, options.region, store.path);
  const deadline = withDeadline(settings.timeoutSeconds * 1000, options.signal);
  let lock: ManifestLock | undefined;
  try {
    lock = await lockManifest(store.path, {
      timeoutSeconds: settings.timeoutSeconds,
      signal: deadline.signal,
      onWarning: options.onWarning ?? emitLockWarning,
    });
    await convergeSessions(
      client,
      settings,
      { settleSeconds, onFunctionChange },
      store,
      result,
      deadline.signal,
      options.onProgress,
    );
  } catch (error) {
    result.durationMs = Date.now() - started;
    if (isLockError(error)) {
      if (settings.onFailure === 'fail') throw error;
      result.error = summarizeError(error);
    } else if (deadline.expired) {
      const message = `prefetch did not finish within timeoutSeconds (${settings.timeoutSeconds} s); ${incompleteMessage(finish(result))}`;
      if (settings.onFailure === 'fail') throw new PrefetchError(message, result, 'PrefetchTimeout');
      result.error = { code: 'PrefetchTimeout', message, field: 'timeoutSeconds' };
    } else if (settings.onFailure === 'fail' || isArgumentError(error)) {
      throw error;
    } else {
      result.error = summarizeError(error);
    }
  } finally {
    deadline.clear();
    await store.close();
    await lock?.release();
  }
  finish(result);
  result.durationMs = Date.now() - started;
  if (result.extras.length > 0) (options.onWarning ?? emitLockWarning)(extrasMessage(result, settings.trim));
  result.complete = isComplete(result, settings);
  if (!result.complete && settings.onFailure === 'fail') throw new PrefetchError(incompleteMessage(result), result);
  return result;
}

/** A result with nothing done yet. */
export function emptyResult(
  settings: Pick<PrefetchSettings, 'functionName' | 'qualifier' | 'count'>,
  region: string,
  manifestPath: string,
): PrefetchResult {
  return {
    functionName: settings.functionName,
    qualifier: settings.qualifier,
    region,
    desired: settings.count,
    sessions: [],
    created: [],
    reused: [],
    expired: [],
    trimmed: [],
    extras: [],
    replaced: [],
    failed: [],
    unverified: [],
    complete: false,
    manifestPath,
    durationMs: 0,
  };
}

/**
 * Whether a run's result reached the count: no error, at least `count` Active, and with `trim`
 * exactly `count` (an extra whose DeleteSession failed leaves the run incomplete).
 */
export function isComplete(
  result: Pick<PrefetchResult, 'error' | 'sessions'>,
  settings: Pick<PrefetchSettings, 'count' | 'trim'>,
): boolean {
  return (
    result.error === undefined &&
    result.sessions.length >= settings.count &&
    (!settings.trim || result.sessions.length === settings.count)
  );
}

function finish(result: PrefetchResult): PrefetchResult {
  result.sessions.sort((a, b) => a.index - b.index);
  return result;
}

/** An incomplete prefetch under `onFailure: 'fail'`; `result` says what exists now (and is in the manifest). */
export class PrefetchError extends PluginError {
  readonly result: PrefetchResult;

  constructor(message: string, result: PrefetchResult, code = 'PrefetchIncomplete') {
    super({ code, message, exitCode: EXIT.incomplete });
    this.result = result;
  }
}

function isArgumentError(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'InvalidArgument';
}

function isLockError(error: unknown): boolean {
  return error instanceof PluginError && error.code === 'ManifestLocked';
}

function extrasMessage(result: PrefetchResult, trim: boolean): string {
  const { extras } = result;
  return (
    `prefetch for ${result.functionName}@${result.qualifier}: ${result.sessions.length} live sessions, ` +
    `${extras.length} beyond count ${result.desired}, left in place ` +
    `(${trim ? 'their DeleteSession failed; the next run tries again' : 'trim: false'}): ${extras.join(', ')}`
  );
}

function incompleteMessage(result: PrefetchResult): string {
  const failure = result.failed[0];
  const first = failure?.error ?? result.unverified[0]?.error ?? result.error;
  // A failed trim says so: the session it names is live, not a create that failed.
  const what = failure?.action === 'trim' ? `DeleteSession of extra ${failure.sessionId}: ` : '';
  const status = first?.status === undefined ? '' : ` (HTTP ${first.status})`;
  return (
    `prefetch for ${result.functionName}@${result.qualifier} reached ${result.sessions.length} of ${result.desired} ` +
    `sessions (${result.failed.length} failed${result.extras.length ? `, ${result.extras.length} extra not trimmed` : ''})` +
    `${first ? `: ${what}${first.code}${status}: ${first.message}` : ''}`
  );
}

/** What one GetSession said about a recorded session (`changed`: its record on disk says otherwise). */
type Verdict =
  | { kind: 'alive'; session: ManifestSession; changed: boolean }
  | { kind: 'stale'; session: ManifestSession }
  | { kind: 'resend'; record: ManifestSession }
  | { kind: 'gone'; record: ManifestSession }
  | { kind: 'unknown'; record: ManifestSession; error: ErrorSummary };

/** One CreateSession to send: a new id into a free slot, or a `creating` record's id again. */
interface CreateJob {
  sessionId: string;
  index: number;
  recordedAt: string;
  resend: boolean;
}

/** Whether two records say the same (a field set to undefined is as absent: JSON leaves it out). */
function sameRecord(a: ManifestSession, b: ManifestSession): boolean {
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  for (const key of new Set([...Object.keys(x), ...Object.keys(y)])) if (x[key] !== y[key]) return false;
  return true;
}

function sameRoute(a: ManifestRoute | undefined, b: ManifestRoute): boolean {
  return a?.affinity === b.affinity && a.headerName === b.headerName;
}

/** The live sessions beyond the lowest `count` slots, highest slot first. */
function extrasOf(alive: ReadonlyMap<string, ManifestSession>, count: number): ManifestSession[] {
  return [...alive.values()]
    .sort((a, b) => a.index - b.index)
    .slice(count)
    .reverse();
}

/** Rounds of check-then-create a run makes at most: unverified sessions and unanswered creates are checked again. */
const RECONCILE_ROUNDS = 4;

/** Pause before round n + 1 (ms): 100, 200, 400. */
function roundPause(round: number): number {
  return 100 * 2 ** round;
}

/**
 * One prefetch run's work on a manifest the caller has locked and `store` reads: check every
 * recorded session (not `retiring` ones: their slots are free), create the missing ones, trim.
 * Results go into `result`; throws when `signal` aborts (and on a function that cannot take sessions).
 */
export async function convergeSessions(
  client: SessionApi,
  settings: PrefetchSettings,
  run: { settleSeconds: number; onFunctionChange: FunctionChangePolicy },
  store: SessionRecords,
  result: PrefetchResult,
  signal: AbortSignal,
  onProgress: ((event: PrefetchEvent) => void) | undefined,
): Promise<void> {
  const { functionName, qualifier } = settings;
  const loaded = store.load();
  loaded.catch(() => undefined);
  const fn = await readSessionFunction(client, functionName, qualifier, signal);
  const revision = fn.revision;
  const manifest = await loaded;

  const alive = new Map<string, ManifestSession>();
  /** Recorded sessions whose state is not known: their slots stay taken (never replaced), they are checked again. */
  const unknown = new Map<string, { record: ManifestSession; error: ErrorSummary }>();
  /** The last failed create of each slot; dropped once the slot holds an Active session. */
  const failures = new Map<number, FailedSession>();
  /**
   * The last failed trim of each extra, by session id (not slot: the extra's slot is filled, by it);
   * dropped once a later round's DeleteSession of it succeeds, or finds it gone.
   */
  const trimFailures = new Map<string, FailedSession>();
  const attempted = new Set<string>();
  let refused = false;
  let toCheck: ManifestSession[] = manifest.sessions.filter((s) => s.state !== 'retiring');
  let done = 0;
  let total = 0;

  const check = async (recorded: ManifestSession): Promise<Verdict> => {
    try {
      const session = await client.getSession(functionName, recorded.sessionId, { qualifier, signal });
      const status = session.sessionStatus ?? 'Active';
      if (status === 'Expired') return { kind: 'gone', record: recorded };
      if (status !== 'Active') {
        return {
          kind: 'unknown',
          record: recorded,
          error: { code: 'SessionNotActive', message: `session is ${status}, not Active; not counted` },
        };
      }
      const seen = record(session, recorded.index, recorded.recordedAt, recorded.functionRevision ?? revision);
      if (run.onFunctionChange === 'recreate' && seen.functionRevision !== revision)
        return { kind: 'stale', session: seen };
      const current = { ...seen, functionRevision: revision };
      return { kind: 'alive', session: current, changed: !sameRecord(recorded, current) };
    } catch (error) {
      if (isNotFound(error)) {
        // An id this run sent got no definite answer (or it would be alive, or removed as refused): its
        // CreateSession may still be on its way, whatever settleSeconds says; that window is for
        // records of earlier runs, whose sends this run knows nothing of.
        return attempted.has(recorded.sessionId) || isSettling(recorded, run.settleSeconds)
          ? { kind: 'resend', record: recorded }
          : { kind: 'gone', record: recorded };
      }
      if (signal.aborted) throw error;
      return { kind: 'unknown', record: recorded, error: summarizeError(error) };
    }
  };

  /**
   * Sends one CreateSession whose `creating` record is already on disk; resolves, once the answer
   * is in, to the write that records the outcome (`recording`: the next create need not wait for it).
   */
  const create = async (job: CreateJob): Promise<{ recording: Promise<void> }> => {
    const { sessionId, index } = job;
    attempted.add(sessionId);
    const values = { index, sessionId, functionName, qualifier };
    const fail = (error: unknown, recorded: boolean) => {
      const failed: FailedSession = { sessionId, index, action: 'create', error: summarizeError(error), recorded };
      failures.set(index, failed);
      onProgress?.({ type: 'failed', sessionId, index, error: failed.error, done: ++done, total });
    };
    let session: Session;
    try {
      session = await client.createSession(
        functionName,
        {
          sessionId,
          sessionTTLInSeconds: settings.sessionTTLInSeconds,
          sessionIdleTimeoutInSeconds: settings.sessionIdleTimeoutInSeconds,
          disableSessionIdReuse: settings.disableSessionIdReuse,
          nasConfig: settings.nasConfig && fillTemplate(settings.nasConfig, values),
          ossMountConfig: settings.ossMountConfig && fillTemplate(settings.ossMountConfig, values),
          polarFsConfig: settings.polarFsConfig && fillTemplate(settings.polarFsConfig, values),
        },
        { qualifier, signal },
      );
    } catch (error) {
      const recorded = { sessionId, index, state: 'creating' as const, recordedAt: job.recordedAt };
      if (!job.resend && refusedOnEveryAttempt(error)) {
        // FC refused every attempt with its error body: nothing was made, the slot is free again.
        // (A resent id keeps its record: the first CreateSession of that id may still be running.)
        if (isDefinitiveRefusal(error)) refused = true;
        return { recording: store.remove(sessionId).then(() => fail(error, false)) };
      }
      // No answer (or a conflict with a create still running): the session may exist; check it next round.
      unknown.set(sessionId, { record: recorded, error: summarizeError(error) });
      fail(error, true);
      return { recording: Promise.resolve() };
    }
    const saved = record(session, index, job.recordedAt, revision);
    const recording = store.upsert(saved).then(() => {
      alive.set(sessionId, saved);
      failures.delete(index);
      result.sessions.push(prefetched(saved, false));
      result.created.push(sessionId);
      onProgress?.({ type: 'created', sessionId, index, containerId: session.containerId, done: ++done, total });
    });
    return { recording };
  };

  /**
   * Runs `jobs` with `concurrency` CreateSession calls in flight at all times. A job's `creating`
   * record is written (group commit) one turn ahead, while the create before it in the same worker
   * is in flight, so a worker sends its next create as soon as an answer is in; no create is sent
   * before its record is on disk. A resend's record is written again too, with the resend's time:
   * prune's settle window must run from the last CreateSession sent for an id, not the first. After
   * an error or an abort no new create is sent, every worker is waited for, and the records written
   * for new ids that were not sent are dropped again (a resent id keeps its record: an earlier
   * CreateSession of it may still land).
   */
  const createAll = async (jobs: CreateJob[]): Promise<void> => {
    const recorded: (Promise<void> | undefined)[] = [];
    const sent: boolean[] = [];
    const recordings: Promise<void>[] = [];
    let failure: { error: unknown } | undefined;
    const stopped = () => failure !== undefined || signal.aborted;
    const recordAhead = (i: number): Promise<void> | undefined => {
      const job = jobs[i];
      if (job === undefined || stopped()) return undefined;
      if (recorded[i] === undefined) {
        const write = store.upsert({
          sessionId: job.sessionId,
          index: job.index,
          state: 'creating',
          recordedAt: job.recordedAt,
        });
        write.catch(() => undefined);
        recorded[i] = write;
      }
      return recorded[i];
    };
    let next = 0;
    const worker = async () => {
      while (next < jobs.length && !stopped()) {
        const i = next++;
        try {
          const own = recordAhead(i);
          recordAhead(i + settings.concurrency);
          await own;
          if (stopped()) return;
          sent[i] = true;
          const { recording } = await create(jobs[i] as CreateJob);
          recording.catch(() => undefined);
          recordings.push(recording);
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(settings.concurrency, jobs.length) }, worker));
    await Promise.allSettled([...recorded, ...recordings]);
    const unsent = new Set(
      jobs.filter((job, i) => !job.resend && recorded[i] !== undefined && !sent[i]).map((job) => job.sessionId),
    );
    try {
      if (unsent.size > 0) await store.update((sessions) => sessions.filter((s) => !unsent.has(s.sessionId)));
    } catch (error) {
      failure ??= { error };
    }
    if (failure) throw failure.error;
    await Promise.all(recordings);
  };

  for (let round = 0; ; round++) {
    const verdicts = await mapLimit(toCheck, settings.concurrency, check);
    const resend: ManifestSession[] = [];
    const stale: ManifestSession[] = [];
    const gone = new Set<string>();
    let changed = round === 0 && !sameRoute(manifest.route, fn.route);
    for (const verdict of verdicts) {
      if (verdict.kind === 'unknown') {
        unknown.set(verdict.record.sessionId, { record: verdict.record, error: verdict.error });
        continue;
      }
      const id =
        verdict.kind === 'alive' || verdict.kind === 'stale' ? verdict.session.sessionId : verdict.record.sessionId;
      unknown.delete(id);
      if (verdict.kind === 'alive') {
        changed ||= verdict.changed;
        alive.set(id, verdict.session);
        failures.delete(verdict.session.index);
        if (!attempted.has(id)) {
          result.sessions.push(prefetched(verdict.session, true));
          result.reused.push(id);
        } else {
          result.sessions.push(prefetched(verdict.session, false));
          result.created.push(id);
        }
      } else if (verdict.kind === 'stale') stale.push(verdict.session);
      else if (verdict.kind === 'resend') resend.push(verdict.record);
      else {
        gone.add(id);
        if (!attempted.has(id)) result.expired.push(id);
      }
    }
    // Written with the first records of this round (group commit) rather than on its own before them;
    // not at all when every check found what the manifest already says (a steady-state keeper reconcile).
    const verdictsSaved =
      changed || gone.size > 0
        ? store.update(
            (sessions) => sessions.filter((s) => !gone.has(s.sessionId)).map((s) => alive.get(s.sessionId) ?? s),
            round === 0 ? fn.route : undefined,
          )
        : Promise.resolve();
    verdictsSaved.catch(() => undefined);

    await mapLimit(stale, settings.concurrency, async (old) => {
      try {
        await client.deleteSession(functionName, old.sessionId, { qualifier, signal });
      } catch (error) {
        if (!isNotFound(error)) {
          unknown.set(old.sessionId, { record: old, error: summarizeError(error) });
          return;
        }
      }
      await store.remove(old.sessionId);
      result.replaced.push(old.sessionId);
    });

    // Extras (a lowered count, or sessions that were unverified when this run made up the count):
    // the highest slots go, since invoke and the front doors pick the lowest live slot first, so
    // those are the least likely to be serving a caller. In any round in which they show up.
    if (settings.trim && alive.size > settings.count) {
      await mapLimit(extrasOf(alive, settings.count), settings.concurrency, async (extra) => {
        try {
          await client.deleteSession(functionName, extra.sessionId, { qualifier, signal });
        } catch (error) {
          if (!isNotFound(error)) {
            trimFailures.set(extra.sessionId, {
              sessionId: extra.sessionId,
              index: extra.index,
              action: 'trim',
              error: summarizeError(error),
              recorded: true,
            });
            return;
          }
        }
        trimFailures.delete(extra.sessionId);
        await store.remove(extra.sessionId);
        alive.delete(extra.sessionId);
        result.trimmed.push(extra.sessionId);
        onProgress?.({ type: 'trimmed', sessionId: extra.sessionId });
      });
      const dropped = new Set(result.trimmed);
      result.sessions = result.sessions.filter((s) => !dropped.has(s.sessionId));
      result.reused = result.reused.filter((id) => !dropped.has(id));
      result.created = result.created.filter((id) => !dropped.has(id));
    }

    const taken = new Set([...alive.values(), ...resend].map((s) => s.index));
    for (const { record: held } of unknown.values()) taken.add(held.index);
    const missing = refused ? 0 : Math.max(0, settings.count - alive.size - unknown.size - resend.length);
    // A resend is recorded afresh (see createAll), as a first send is: its settle window starts now.
    const jobs: CreateJob[] = resend.map((r) => ({
      sessionId: r.sessionId,
      index: r.index,
      recordedAt: new Date().toISOString(),
      resend: true,
    }));
    for (let index = 0; jobs.length < resend.length + missing; index++) {
      if (taken.has(index)) continue;
      jobs.push({
        sessionId: `${settings.idPrefix}${newSessionId()}`,
        index,
        recordedAt: new Date().toISOString(),
        resend: false,
      });
    }
    if (round === 0) {
      onProgress?.({
        type: 'checked',
        functionName,
        qualifier,
        active: alive.size,
        expired: result.expired.length,
        unverified: unknown.size,
        missing: jobs.length,
      });
    }
    total += jobs.length;
    await createAll(jobs);
    await verdictsSaved;

    toCheck = [...unknown.values()].map((u) => u.record);
    const short = !refused && alive.size + unknown.size < settings.count;
    if ((toCheck.length === 0 && !short) || round + 1 >= RECONCILE_ROUNDS || signal.aborted) break;
    await pause(roundPause(round), signal);
  }
  for (const [id, { error }] of unknown) {
    if (!attempted.has(id)) result.unverified.push({ sessionId: id, error });
  }
  const filled = new Set([...alive.values()].map((s) => s.index));
  result.extras = extrasOf(alive, settings.count).map((s) => s.sessionId);
  // A failed trim counts while its session is still an extra left in place (not once it is gone or,
  // with fewer live sessions than the count, no longer beyond it).
  const left = new Set(settings.trim ? result.extras : []);
  result.failed = [
    ...[...failures.values()].filter((f) => !filled.has(f.index)),
    ...[...trimFailures.values()].filter((f) => left.has(f.sessionId)).sort((a, b) => b.index - a.index),
  ];
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
}
