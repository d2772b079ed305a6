import { plainSource, resolveSettings } from '../settings/resolve.js';
import { type ErrorSummary, isNotFound, summarizeError } from './errors.js';
import { withDeadline } from './deadline.js';
import type { KeeperRemoval } from './keeper-function.js';
import { lockManifest } from './lock.js';
import { isSettling, type ManifestSession, ManifestStore } from './manifest.js';
import { mapLimit } from './pool.js';
import { emitLockWarning, type ManifestLocation, type SessionApi } from './prefetch.js';

export interface PruneOptions extends ManifestLocation {
  functionName: string;
  qualifier?: string | undefined;
  /** Only these recorded sessions (default: every session in the manifest). */
  sessionIds?: readonly string[] | undefined;
  concurrency?: number | undefined;
  /** A session still `creating` and unknown to FC (404) stays recorded this long (see `SETTINGS.settleSeconds`). */
  settleSeconds?: number | undefined;
  /** Bound on the whole prune, waiting for the manifest's lock included (as `SETTINGS.timeoutSeconds`). */
  timeoutSeconds?: number | undefined;
  /** Told when a stale manifest lock is taken over; default `process.emitWarning`. */
  onWarning?: ((message: string) => void) | undefined;
  onProgress?:
    | ((event: { type: 'deleted' | 'pending' | 'failed'; sessionId: string; done: number; total: number }) => void)
    | undefined;
  signal?: AbortSignal | undefined;
}

export interface PruneResult {
  functionName: string;
  qualifier: string;
  region: string;
  /** Deleted now, or already gone (404): either way removed from the manifest. */
  deleted: string[];
  /** Recorded while being created and not (yet) known to FC: kept in the manifest; prune again later. */
  pending: string[];
  failed: { sessionId: string; error: ErrorSummary }[];
  /** Asked for by `sessionIds` but not in the manifest (left alone: prune only deletes what prefetch made). */
  notRecorded: string[];
  complete: boolean;
  manifestPath: string;
  /** The keeper on FC `fcs prune` removed first (its function, trigger and sessions), when there was one. */
  keeper?: KeeperRemoval | undefined;
}

/**
 * Deletes the sessions prefetch recorded (all, or `sessionIds`) and drops each from the manifest
 * once it is gone, holding the manifest's lock file for the run (as prefetch does).
 */
export async function pruneSessions(
  client: Pick<SessionApi, 'deleteSession'>,
  options: PruneOptions,
): Promise<PruneResult> {
  const { qualifier, concurrency, settleSeconds, timeoutSeconds } = resolveSettings(
    ['functionName', 'qualifier', 'sessionIds', 'concurrency', 'settleSeconds', 'timeoutSeconds'],
    [plainSource(options)],
    { required: { functionName: 'the function to prune' }, env: {} },
  );
  const store = new ManifestStore(options.manifestDir, {
    region: options.region,
    functionName: options.functionName,
    qualifier,
    endpoint: options.endpoint,
  });
  const deadline = withDeadline(timeoutSeconds * 1000, options.signal);
  try {
    const lock = await lockManifest(store.path, {
      timeoutSeconds,
      signal: deadline.signal,
      onWarning: options.onWarning ?? emitLockWarning,
      existingFolderOnly: true,
    });
    try {
      return await prune(client, options, { qualifier, concurrency, settleSeconds, signal: deadline.signal }, store);
    } finally {
      await store.close();
      await lock.release();
    }
  } finally {
    deadline.clear();
  }
}

async function prune(
  client: Pick<SessionApi, 'deleteSession'>,
  options: PruneOptions,
  run: { qualifier: string; concurrency: number; settleSeconds: number; signal: AbortSignal },
  store: ManifestStore,
): Promise<PruneResult> {
  const { qualifier, concurrency, settleSeconds, signal } = run;
  const manifest = await store.load();
  const records = new Map(manifest.sessions.map((s) => [s.sessionId, s]));
  const wanted = options.sessionIds ? [...new Set(options.sessionIds)] : [...records.keys()];
  const targets = wanted.filter((id) => records.has(id));
  const result: PruneResult = {
    functionName: options.functionName,
    qualifier,
    region: options.region,
    deleted: [],
    pending: [],
    failed: [],
    notRecorded: wanted.filter((id) => !records.has(id)),
    complete: false,
    manifestPath: store.path,
  };
  let done = 0;
  await mapLimit(targets, concurrency, async (sessionId) => {
    let notFound: boolean;
    try {
      notFound = (await client.deleteSession(options.functionName, sessionId, { qualifier, signal })).alreadyGone;
    } catch (error) {
      if (!isNotFound(error)) {
        result.failed.push({ sessionId, error: summarizeError(error) });
        options.onProgress?.({ type: 'failed', sessionId, done: ++done, total: targets.length });
        return;
      }
      notFound = true;
    }
    // A 404 on any attempt, for a record whose CreateSession may still be running, is no proof it is gone.
    if (notFound && isSettling(records.get(sessionId) as ManifestSession, settleSeconds)) {
      result.pending.push(sessionId);
      options.onProgress?.({ type: 'pending', sessionId, done: ++done, total: targets.length });
      return;
    }
    await store.remove(sessionId);
    result.deleted.push(sessionId);
    options.onProgress?.({ type: 'deleted', sessionId, done: ++done, total: targets.length });
  });
  result.complete = result.failed.length === 0 && result.pending.length === 0;
  return result;
}
