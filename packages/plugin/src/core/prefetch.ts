import { type FcClient, newSessionId, type Session } from '@fc-sessions/client';
import { withDeadline } from './deadline.js';
import { EXIT, type ErrorSummary, isDefinitiveRefusal, isNotFound, PluginError, summarizeError } from './errors.js';
import {
  CREATE_SETTLE_SECONDS,
  isSettling,
  type ManifestRoute,
  type ManifestSession,
  ManifestStore,
} from './manifest.js';
import { integerOption } from './check.js';
import { lockManifest, type ManifestLock } from './lock.js';
import { mapLimit } from './pool.js';
import { type PrefetchSettings, readPrefetchSettings } from './prefetch-options.js';
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

export interface PrefetchOptions extends Partial<PrefetchSettings>, ManifestLocation {
  functionName: string;
  count: number;
  /** A recorded session still `creating` and unknown to FC (404) is kept this long, [0, 86400] s; default 600. */
  settleSeconds?: number | undefined;
  onProgress?: ((event: PrefetchEvent) => void) | undefined;
  /** Told when a stale manifest lock is taken over; default `process.emitWarning`. */
  onWarning?: ((message: string) => void) | undefined;
  signal?: AbortSignal | undefined;
}

/** Options of `prefetchSessions` that are not prefetch settings (see `readPrefetchSettings`). */
const RUN_KEYS = ['manifestDir', 'region', 'endpoint', 'settleSeconds', 'onProgress', 'onWarning', 'signal'];

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
  error: ErrorSummary;
  /** Still in the manifest because FC may have created it (no definite answer); prune or the next run settles it. */
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
  trimmed: string[];
  failed: FailedSession[];
  /** Recorded sessions whose state could not be read; kept in the manifest, not counted. */
  unverified: { sessionId: string; error: ErrorSummary }[];
  /** `sessions.length >= desired` (and, with trim, no extras left). */
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

function record(session: Session, index: number, recordedAt: string): ManifestSession {
  return {
    sessionId: session.sessionId,
    index,
    state: 'active',
    recordedAt,
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
  const fn = await client.getFunction(functionName, { qualifier, signal });
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

/**
 * Makes sure `count` Active sessions exist for the function and qualifier: reads what it made
 * before (the manifest), drops the expired ones, tops up to `count` (lowest free slots first) and,
 * with `trim`, deletes extras. Every id is recorded before its CreateSession is sent, so an
 * interrupted run loses no session. The run holds the manifest's lock file (see `lockManifest`):
 * a second run on the same manifest waits for it, within its own `timeoutSeconds`. With
 * `onFailure: 'fail'` an incomplete run throws a `PluginError` `PrefetchIncomplete` carrying the
 * result (`ManifestLocked` when the lock stayed held); with `warn` it returns it.
 */
export async function prefetchSessions(client: SessionApi, options: PrefetchOptions): Promise<PrefetchResult> {
  const settings = readPrefetchSettings(
    Object.fromEntries(Object.entries(options).filter(([key]) => !RUN_KEYS.includes(key))),
    undefined,
    true,
  );
  const settleSeconds = integerOption('settleSeconds', options.settleSeconds, 0, 86_400) ?? CREATE_SETTLE_SECONDS;
  const started = Date.now();
  const store = new ManifestStore(options.manifestDir, {
    region: options.region,
    functionName: settings.functionName,
    qualifier: settings.qualifier,
    endpoint: options.endpoint,
  });
  const result: PrefetchResult = {
    functionName: settings.functionName,
    qualifier: settings.qualifier,
    region: options.region,
    desired: settings.count,
    sessions: [],
    created: [],
    reused: [],
    expired: [],
    trimmed: [],
    failed: [],
    unverified: [],
    complete: false,
    manifestPath: store.path,
    durationMs: 0,
  };
  const deadline = withDeadline(settings.timeoutSeconds * 1000, options.signal);
  let lock: ManifestLock | undefined;
  try {
    lock = await lockManifest(store.path, {
      timeoutSeconds: settings.timeoutSeconds,
      signal: deadline.signal,
      onWarning: options.onWarning ?? emitLockWarning,
    });
    await run(client, settings, settleSeconds, store, result, deadline.signal, options.onProgress);
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
  result.complete =
    result.error === undefined &&
    result.sessions.length >= settings.count &&
    (!settings.trim || result.sessions.length === settings.count);
  if (!result.complete && settings.onFailure === 'fail') throw new PrefetchError(incompleteMessage(result), result);
  return result;
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

function incompleteMessage(result: PrefetchResult): string {
  const first = result.failed[0]?.error ?? result.unverified[0]?.error ?? result.error;
  return (
    `prefetch for ${result.functionName}@${result.qualifier} reached ${result.sessions.length} of ${result.desired} ` +
    `sessions (${result.failed.length} failed)${first ? `: ${first.code}: ${first.message}` : ''}`
  );
}

async function run(
  client: SessionApi,
  settings: PrefetchSettings,
  settleSeconds: number,
  store: ManifestStore,
  result: PrefetchResult,
  signal: AbortSignal,
  onProgress: ((event: PrefetchEvent) => void) | undefined,
): Promise<void> {
  const { functionName, qualifier } = settings;
  const route = await assertSessionCapable(client, functionName, qualifier, signal);
  const manifest = await store.load();

  const checked = await mapLimit(manifest.sessions, settings.concurrency, async (recorded) => {
    try {
      const session = await client.getSession(functionName, recorded.sessionId, { qualifier, signal });
      return { recorded, session, alive: session.sessionStatus === undefined || session.sessionStatus === 'Active' };
    } catch (error) {
      if (isNotFound(error) && isSettling(recorded, settleSeconds)) {
        return {
          recorded,
          unknown: { code: 'CreatePending', message: 'CreateSession may still be running; not counted yet' },
        };
      }
      if (isNotFound(error)) return { recorded, alive: false };
      if (signal.aborted) throw error;
      return { recorded, unknown: summarizeError(error) };
    }
  });
  const alive: ManifestSession[] = [];
  for (const check of checked) {
    if ('unknown' in check && check.unknown) {
      result.unverified.push({ sessionId: check.recorded.sessionId, error: check.unknown });
    } else if (check.alive && check.session) {
      alive.push(record(check.session, check.recorded.index, check.recorded.recordedAt));
    } else {
      result.expired.push(check.recorded.sessionId);
    }
  }
  const aliveIds = new Set(alive.map((s) => s.sessionId));
  const expiredIds = new Set(result.expired);
  await store.update(
    (sessions) =>
      sessions
        .filter((s) => !expiredIds.has(s.sessionId))
        .map((s) =>
          aliveIds.has(s.sessionId) ? (alive.find((a) => a.sessionId === s.sessionId) as ManifestSession) : s,
        ),
    route,
  );

  alive.sort((a, b) => a.index - b.index);
  if (settings.trim && alive.length > settings.count) {
    const extras = alive.splice(settings.count);
    await mapLimit(extras.reverse(), settings.concurrency, async (extra) => {
      try {
        await client.deleteSession(functionName, extra.sessionId, { qualifier, signal });
      } catch (error) {
        if (!isNotFound(error)) {
          alive.push(extra);
          result.failed.push({
            sessionId: extra.sessionId,
            index: extra.index,
            error: summarizeError(error),
            recorded: true,
          });
          return;
        }
      }
      await store.remove(extra.sessionId);
      result.trimmed.push(extra.sessionId);
      onProgress?.({ type: 'trimmed', sessionId: extra.sessionId });
    });
  }
  for (const session of alive) {
    result.sessions.push(prefetched(session, true));
    result.reused.push(session.sessionId);
  }

  const taken = new Set(
    [...alive, ...manifest.sessions.filter((s) => result.unverified.some((u) => u.sessionId === s.sessionId))].map(
      (s) => s.index,
    ),
  );
  const slots: number[] = [];
  for (let index = 0; slots.length < settings.count - alive.length; index++) if (!taken.has(index)) slots.push(index);
  onProgress?.({
    type: 'checked',
    functionName,
    qualifier,
    active: alive.length,
    expired: result.expired.length,
    unverified: result.unverified.length,
    missing: slots.length,
  });

  let done = 0;
  await mapLimit(slots, settings.concurrency, async (index) => {
    const sessionId = `${settings.idPrefix}${newSessionId()}`;
    if (signal.aborted) return;
    const recordedAt = new Date().toISOString();
    await store.upsert({ sessionId, index, state: 'creating', recordedAt });
    const values = { index, sessionId, functionName, qualifier };
    try {
      const session = await client.createSession(
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
      const saved = record(session, index, recordedAt);
      await store.upsert(saved);
      result.sessions.push(prefetched(saved, false));
      result.created.push(sessionId);
      onProgress?.({
        type: 'created',
        sessionId,
        index,
        containerId: session.containerId,
        done: ++done,
        total: slots.length,
      });
    } catch (error) {
      const refused = isDefinitiveRefusal(error);
      if (refused) await store.remove(sessionId);
      const failed = { sessionId, index, error: summarizeError(error), recorded: !refused };
      result.failed.push(failed);
      onProgress?.({ type: 'failed', sessionId, index, error: failed.error, done: ++done, total: slots.length });
    }
  });
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
}
