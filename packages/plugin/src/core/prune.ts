import { plainSource, type Resolved, resolveSettings } from '../settings/resolve.js';
import { type ErrorSummary, isNotFound, summarizeError } from './errors.js';
import { withDeadline } from './deadline.js';
import type { KeeperRemoval } from './keeper-function.js';
import { lockManifest } from './lock.js';
import { isSettling, type ManifestSession, ManifestStore } from './manifest.js';
import { mapLimit } from './pool.js';
import { emitLockWarning, type ManifestLocation, type SessionApi } from './prefetch.js';

/** Told as a prune goes. */
export interface PruneHooks {
  /** Told when a stale manifest lock is taken over; default `process.emitWarning`. */
  onWarning?: ((message: string) => void) | undefined;
  onProgress?:
    | ((event: { type: 'deleted' | 'pending' | 'failed'; sessionId: string; done: number; total: number }) => void)
    | undefined;
  signal?: AbortSignal | undefined;
}

export interface PruneOptions extends ManifestLocation, PruneHooks {
  functionName: string;
  qualifier?: string | undefined;
  /** Only these recorded sessions (default: every session in the manifest). */
  sessionIds?: readonly string[] | undefined;
  concurrency?: number | undefined;
  /** A session still `creating` and unknown to FC (404) stays recorded this long (see `SETTINGS.settleSeconds`). */
  settleSeconds?: number | undefined;
  /** Bound on the whole prune, waiting for the manifest's lock included (as `SETTINGS.timeoutSeconds`). */
  timeoutSeconds?: number | undefined;
}

const PRUNE_KEYS = [
  'functionName',
  'qualifier',
  'sessionIds',
  'concurrency',
  'settleSeconds',
  'timeoutSeconds',
] as const;

/** What a prune runs with, checked (`resolveSettings` over `PRUNE_KEYS`). */
export type PruneSettings = Resolved<(typeof PRUNE_KEYS)[number], 'functionName'>;

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
  const settings = resolveSettings(PRUNE_KEYS, [plainSource(options)], {
    required: { functionName: 'the function to prune' },
    env: {},
  });
  return pruneChecked(client, settings, options);
}

/** `pruneSessions` with settings a front door has already checked (once, naming fields its way). */
export async function pruneChecked(
  client: Pick<SessionApi, 'deleteSession'>,
  settings: PruneSettings,
  options: ManifestLocation & PruneHooks,
): Promise<PruneResult> {
  const store = new ManifestStore(options.manifestDir, {
    region: options.region,
    functionName: settings.functionName,
    qualifier: settings.qualifier,
    endpoint: options.endpoint,
  });
  const deadline = withDeadline(settings.timeoutSeconds * 1000, options.signal);
  try {
    const lock = await lockManifest(store.path, {
      timeoutSeconds: settings.timeoutSeconds,
      signal: deadline.signal,
      onWarning: options.onWarning ?? emitLockWarning,
      existingFolderOnly: true,
    });
    try {
      return await prune(client, settings, { ...options, signal: deadline.signal }, store);
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
  settings: PruneSettings,
  options: ManifestLocation & PruneHooks & { signal: AbortSignal },
  store: ManifestStore,
): Promise<PruneResult> {
  const { functionName, qualifier, concurrency, settleSeconds } = settings;
  const { signal } = options;
  const manifest = await store.load();
  const records = new Map(manifest.sessions.map((s) => [s.sessionId, s]));
  const wanted = settings.sessionIds ? [...new Set(settings.sessionIds)] : [...records.keys()];
  const targets = wanted.filter((id) => records.has(id));
  const result: PruneResult = {
    functionName,
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
      notFound = (await client.deleteSession(functionName, sessionId, { qualifier, signal })).alreadyGone;
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
