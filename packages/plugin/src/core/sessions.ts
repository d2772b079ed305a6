import type { FcClient, ListSessionsInput, Session } from '@fc-sessions/client';
import { withDeadline } from './deadline.js';
import { lockManifest } from './lock.js';
import { ManifestStore } from './manifest.js';
import { emitLockWarning } from './prefetch.js';
import type { Target } from './target.js';

/** How long `session delete` waits for a running prefetch or prune to release the manifest, by default. */
export const DELETE_LOCK_WAIT_SECONDS = 60;

function storeOf(target: Target): ManifestStore {
  return new ManifestStore(target.manifest.manifestDir, {
    ...target.manifest,
    functionName: target.functionName,
    qualifier: target.qualifier,
  });
}

/**
 * Deletes a session and drops it from the manifest, holding the manifest's lock first: a running
 * prefetch or prune cannot write the record back, and a delete that cannot get the lock changes nothing.
 */
export async function deleteRecordedSession(
  client: Pick<FcClient, 'deleteSession'>,
  target: Target,
  sessionId: string,
  options: {
    waitSeconds?: number | undefined;
    signal?: AbortSignal | undefined;
    onWarning?: (message: string) => void;
  },
): Promise<void> {
  const store = storeOf(target);
  const waitSeconds = options.waitSeconds ?? DELETE_LOCK_WAIT_SECONDS;
  const wait = withDeadline(waitSeconds * 1000, options.signal);
  try {
    const lock = await lockManifest(store.path, {
      timeoutSeconds: waitSeconds,
      signal: wait.signal,
      onWarning: options.onWarning ?? emitLockWarning,
      existingFolderOnly: true,
    });
    try {
      await client.deleteSession(target.functionName, sessionId, {
        qualifier: target.qualifier,
        signal: options.signal,
      });
      await store.load();
      if (store.sessions.some((s) => s.sessionId === sessionId)) await store.remove(sessionId);
    } finally {
      await store.close();
      await lock.release();
    }
  } finally {
    wait.clear();
  }
}

export interface ListedSessions {
  sessions: (Session & { prefetched: boolean })[];
  nextToken: string | undefined;
}

/** One page (or, with `all`, every page) of the function's sessions, each marked when prefetch recorded it. */
export async function listRecordedSessions(
  client: Pick<FcClient, 'listSessions' | 'iterateSessions'>,
  target: Target,
  query: Omit<ListSessionsInput, 'qualifier'> & { all?: boolean | undefined; prefetchedOnly?: boolean | undefined },
  signal?: AbortSignal,
): Promise<ListedSessions> {
  const { all, prefetchedOnly, ...filter } = query;
  const input: ListSessionsInput = { ...filter, qualifier: target.qualifier };
  let sessions: Session[];
  let nextToken: string | undefined;
  if (all) {
    sessions = [];
    for await (const session of client.iterateSessions(target.functionName, input, { signal })) sessions.push(session);
  } else {
    ({ sessions, nextToken } = await client.listSessions(target.functionName, input, { signal }));
  }
  const store = storeOf(target);
  try {
    await store.load();
  } finally {
    await store.close();
  }
  const recorded = new Set(store.sessions.map((s) => s.sessionId));
  const marked = sessions.map((s) => ({ ...s, prefetched: recorded.has(s.sessionId) }));
  return { sessions: prefetchedOnly ? marked.filter((s) => s.prefetched) : marked, nextToken };
}
