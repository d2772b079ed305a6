import type { FcClient, FunctionConfig, Session } from '@fc-sessions/client';
import type { Manifest, ManifestRoute, ManifestSession, SessionRecords } from './manifest.js';
import { functionRevision } from './prefetch.js';

/** What a keeper with no manifest reads from FC: the function (its revision) and its sessions. */
export type ListingApi = Pick<FcClient, 'getFunction' | 'iterateSessions'>;

/** How sessions listed by FC are read back into records (see `adoptSessions`). */
export interface AdoptRules {
  /** Only sessions whose id is `<idPrefix><32 hex>` are ours: the ids our client chose. */
  idPrefix: string;
  renewBeforeSeconds: number;
  graceSeconds: number;
}

export interface ListedKey extends AdoptRules {
  region: string;
  functionName: string;
  qualifier: string;
}

/** How reports name the records of a keeper with no manifest: what it asks FC for. */
export function listedPath(key: Pick<ListedKey, 'functionName' | 'qualifier' | 'idPrefix'>): string {
  return `ListSessions ${key.functionName}@${key.qualifier} ${key.idPrefix}*`;
}

const OUR_ID_TAIL = /^[0-9a-f]{32}$/;

/** An id our client chose with `idPrefix`: the prefix, then 32 lower-case hex digits. */
export function isPrefixedId(sessionId: string, idPrefix: string): boolean {
  return sessionId.startsWith(idPrefix) && OUR_ID_TAIL.test(sessionId.slice(idPrefix.length));
}
/** The revision given to a session made before the function's last change (see `adoptSessions`). */
const OLDER_REVISION = 'older';

function createdMs(session: Session): number {
  const ms = Date.parse(session.createdTime ?? '');
  return Number.isNaN(ms) ? 0 : ms;
}

/** When a session enters its renewal window (its TTL's end less `renewBeforeSeconds`); undefined: never renewed. */
function renewalStart(session: Session, renewBeforeSeconds: number): number | undefined {
  const ttl = session.sessionTTLInSeconds;
  if (renewBeforeSeconds === 0 || ttl === undefined || ttl <= renewBeforeSeconds) return undefined;
  return createdMs(session) + (ttl - renewBeforeSeconds) * 1000;
}

/**
 * The records a keeper with no manifest of its own works from, rebuilt from FC's list alone, so a
 * run remembers nothing of the run before it:
 * - ours: Active sessions whose id is `<idPrefix><32 hex>`;
 * - `retiring`: those past their renewal start (TTL end less `renewBeforeSeconds`): the run that
 *   saw them there first gave their slot to a replacement; `retireAt` is `graceSeconds` after the
 *   first other session made since that start (its replacement, or one made with it), none yet: not due;
 * - slots (`index`): the others by creation time, 0 first;
 * - revision: a session made before the function's `lastModifiedTime` is of an older revision
 *   (`onFunctionChange` applies), one made since is of `revision`.
 */
export function adoptSessions(
  listed: readonly Session[],
  rules: AdoptRules,
  function_: { revision: string; lastModifiedMs: number | undefined },
  now = Date.now(),
): ManifestSession[] {
  const ours = listed
    .filter((s) => (s.sessionStatus ?? 'Active') === 'Active' && isPrefixedId(s.sessionId, rules.idPrefix))
    .sort((a, b) => createdMs(a) - createdMs(b) || a.sessionId.localeCompare(b.sessionId));
  const retiring = (s: Session) => {
    const start = renewalStart(s, rules.renewBeforeSeconds);
    return start !== undefined && now >= start;
  };
  const holding = ours.filter((s) => !retiring(s));
  const records = (s: Session, index: number, state: 'active' | 'retiring'): ManifestSession => {
    const made = createdMs(s);
    const old = function_.lastModifiedMs !== undefined && made < function_.lastModifiedMs;
    let retireAt: string | undefined;
    if (state === 'retiring') {
      const start = renewalStart(s, rules.renewBeforeSeconds) as number;
      const next = ours.find((o) => o !== s && createdMs(o) >= start);
      if (next) retireAt = new Date(createdMs(next) + rules.graceSeconds * 1000).toISOString();
    }
    return {
      sessionId: s.sessionId,
      index,
      state,
      recordedAt: s.createdTime ?? new Date(now).toISOString(),
      retireAt,
      containerId: s.containerId,
      createdTime: s.createdTime,
      sessionTTLInSeconds: s.sessionTTLInSeconds,
      sessionIdleTimeoutInSeconds: s.sessionIdleTimeoutInSeconds,
      functionRevision: old ? OLDER_REVISION : function_.revision,
    };
  };
  return [
    ...holding.map((s, i) => records(s, i, 'active')),
    ...ours.filter(retiring).map((s, i) => records(s, holding.length + i, 'retiring')),
  ];
}

/**
 * The session records of one function@qualifier as FC lists them (ListSessions, filtered by the
 * id prefix; see `adoptSessions`): what the keeper on FC works from, since a function instance
 * has no durable local file. Changes live in memory for the run; FC itself is the record.
 */
export class ListedSessions implements SessionRecords {
  readonly path: string;
  #manifest: Manifest | undefined;

  constructor(
    private readonly client: ListingApi,
    private readonly key: ListedKey,
    private readonly signal: AbortSignal,
  ) {
    this.path = listedPath(key);
  }

  async load(): Promise<Manifest> {
    if (!this.#manifest) {
      const { functionName, qualifier, region } = this.key;
      const fn: FunctionConfig = await this.client.getFunction(functionName, { qualifier, signal: this.signal });
      const listed: Session[] = [];
      for await (const session of this.client.iterateSessions(
        functionName,
        { qualifier, sessionStatus: 'Active' },
        { signal: this.signal },
      )) {
        listed.push(session);
      }
      const modified = Date.parse(fn.lastModifiedTime ?? '');
      const sessions = adoptSessions(listed, this.key, {
        revision: functionRevision(fn),
        lastModifiedMs: Number.isNaN(modified) ? undefined : modified,
      });
      this.#manifest = { version: 1, region, functionName, qualifier, updatedAt: new Date().toISOString(), sessions };
    }
    return { ...this.#manifest, sessions: this.#manifest.sessions.map((s) => ({ ...s })) };
  }

  get sessions(): readonly ManifestSession[] {
    return this.#manifest?.sessions ?? [];
  }

  async update(change: (sessions: ManifestSession[]) => ManifestSession[], route?: ManifestRoute): Promise<void> {
    if (!this.#manifest) await this.load();
    const manifest = this.#manifest as Manifest;
    this.#manifest = { ...manifest, route: route ?? manifest.route, sessions: change([...manifest.sessions]) };
  }

  upsert(session: ManifestSession): Promise<void> {
    return this.update((sessions) => [...sessions.filter((s) => s.sessionId !== session.sessionId), session]);
  }

  remove(sessionId: string): Promise<void> {
    return this.update((sessions) => sessions.filter((s) => s.sessionId !== sessionId));
  }

  async close(): Promise<void> {}
}
