import { ApiError, invalidArgument, sessionNotFound } from '../errors.js';
import type { FunctionEntry, FunctionRegistry } from '../functions/function-registry.js';
import { pageAfter } from '../paging.js';
import { newSessionId } from '../ids.js';
import type { Instance } from '../instances/instance.js';
import { supportsSessionApi } from '../model/affinity.js';
import {
  type CreateSessionInput,
  type MountConfigs,
  SESSION_ID,
  type UpdateSessionInput,
} from '../model/session-input.js';
import { type SessionRecord, type SessionStatus, sessionKey } from '../state/records.js';
import { expiresAt } from './session-view.js';

export interface SessionSettings {
  /** How often expired sessions are looked for (requests and reads also check on the spot). */
  readonly sweepIntervalMs: number;
  /** How long an Expired session stays listable before it is forgotten. */
  readonly expiredRetentionMs: number;
  /** What happens to a session whose instance died: bind it to a new instance on its next request, or expire it. */
  readonly onInstanceLoss: 'rebind' | 'expire';
  /** An invocation that names a Paused session: refuse it (409 SessionPaused) or resume the session. */
  readonly pausedInvocation: 'reject' | 'resume';
  /**
   * What sessions on an alias do when the alias moves to another version: stay on the instance of
   * the version they were created on, move to the new version on their next request (a new
   * instance), or expire.
   */
  readonly onAliasMove: 'keep' | 'follow' | 'expire';
}

/** Where a session lives: the qualifier it was created on and the version serving it. */
export interface SessionScope {
  readonly qualifier: string;
  readonly versionId: string;
}

const LATEST_SCOPE: SessionScope = { qualifier: 'LATEST', versionId: 'LATEST' };

/** The entry (pool) that runs a version of a function. */
export type VersionEntries = (functionName: string, versionId: string) => FunctionEntry;

interface LiveSession {
  record: SessionRecord;
  instance: Instance | undefined;
  rebinding?: Promise<Instance> | undefined;
}

export interface Routed {
  readonly record: SessionRecord;
  readonly instance: Instance;
  /** The entry whose pool holds `instance`: the session's own version. */
  readonly entry: FunctionEntry;
  /** True when this request created the session (the caller sent no id, or an unknown one). */
  readonly created: boolean;
}

export interface Persistence {
  /** The state changed in a way that may wait for the next periodic write. */
  touch(): void;
  /** Resolves once the session's record as it is now is on disk. */
  saveSession(record: SessionRecord): Promise<void>;
  /** Resolves once the removal of session `key` is on disk. */
  removeSession(key: string, retired: boolean): Promise<void>;
}

/** Sessions: their records, their binding to instances, expiry, and the routing of invocations. */
export class SessionManager {
  private readonly sessions = new Map<string, LiveSession>();
  private readonly retired = new Set<string>();
  private readonly opening = new Map<string, Promise<LiveSession>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly functions: FunctionRegistry,
    private readonly store: Persistence,
    private readonly settings: SessionSettings,
    private readonly versionEntry: VersionEntries = (name) => functions.get(name),
  ) {}

  start(): void {
    this.timer = setInterval(() => this.sweep(), this.settings.sweepIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Sessions read back from the data dir have no instance yet: see `onInstanceLoss`. */
  restore(records: readonly SessionRecord[], retired: readonly string[]): void {
    for (const record of records) {
      if (!this.functions.find(record.functionName)) continue;
      this.sessions.set(sessionKey(record.functionName, record.sessionId), { record, instance: undefined });
      if (this.settings.onInstanceLoss === 'expire' && record.status !== 'Expired')
        this.expire(this.sessions.get(sessionKey(record.functionName, record.sessionId))!);
    }
    for (const key of retired) this.retired.add(key);
  }

  snapshot(): { sessions: SessionRecord[]; retiredSessionIds: string[] } {
    return { sessions: [...this.sessions.values()].map((live) => live.record), retiredSessionIds: [...this.retired] };
  }

  /** CreateSession: a new session bound to a pre-allocated instance whose initializer has run. */
  async create(
    entry: FunctionEntry,
    input: CreateSessionInput,
    scope: SessionScope = LATEST_SCOPE,
  ): Promise<SessionRecord> {
    const { affinity, record } = entry;
    if (!supportsSessionApi(affinity)) {
      throw invalidArgument(
        `function "${record.functionName}" has sessionAffinity ${affinity.type}; CreateSession needs HEADER_FIELD or GENERATED_COOKIE`,
      );
    }
    const sessionId = input.sessionId ?? newSessionId();
    const key = sessionKey(record.functionName, sessionId);
    const existing = this.sessions.get(key);
    if (existing) this.refresh(existing);
    if ((existing && existing.record.status !== 'Expired') || this.opening.has(key)) {
      throw new ApiError(
        409,
        'SessionAlreadyExists',
        `session "${sessionId}" of function "${record.functionName}" already exists`,
      );
    }
    this.checkReuse(key, sessionId, existing);
    const live = await this.open(entry, sessionId, input, undefined, scope);
    await this.store.saveSession(live.record);
    return live.record;
  }

  private checkReuse(key: string, sessionId: string, existing: LiveSession | undefined): void {
    if (this.retired.has(key) || existing?.record.disableSessionIdReuse) {
      throw new ApiError(
        409,
        'SessionAlreadyExists',
        `session id "${sessionId}" was used before and its session disabled id reuse (disableSessionIdReuse)`,
      );
    }
  }

  private open(
    entry: FunctionEntry,
    sessionId: string,
    input: CreateSessionInput,
    instance?: Instance,
    scope: SessionScope = LATEST_SCOPE,
  ): Promise<LiveSession> {
    const key = sessionKey(entry.record.functionName, sessionId);
    const pending = this.opening.get(key);
    if (pending) return pending;
    const opened = (async () => {
      const bound = instance ?? (await entry.pool.allocateSession(key));
      if (instance) instance.sessions.add(key);
      const { affinity } = entry;
      const now = Date.now();
      const mounts: MountConfigs = {};
      for (const name of ['nasConfig', 'ossMountConfig', 'polarFsConfig', 'juiceFsConfig'] as const) {
        if (input[name] !== undefined) Object.assign(mounts, { [name]: input[name] });
      }
      const record: SessionRecord = {
        sessionId,
        functionName: entry.record.functionName,
        qualifier: scope.qualifier,
        ...(scope.versionId === 'LATEST' ? {} : { versionId: scope.versionId }),
        sessionAffinityType: affinity.type,
        sessionTTLInSeconds: input.sessionTTLInSeconds ?? affinity.sessionTTLInSeconds,
        sessionIdleTimeoutInSeconds: input.sessionIdleTimeoutInSeconds ?? affinity.sessionIdleTimeoutInSeconds,
        disableSessionIdReuse: input.disableSessionIdReuse ?? affinity.disableSessionIdReuse,
        mounts,
        status: 'Active',
        containerId: bound.id,
        createdMs: now,
        lastModifiedMs: now,
        lastActivityMs: now,
      };
      const live: LiveSession = { record, instance: bound };
      this.sessions.set(key, live);
      this.store.touch();
      return live;
    })();
    this.opening.set(key, opened);
    opened.then(
      () => this.opening.delete(key),
      () => this.opening.delete(key),
    );
    return opened;
  }

  /** GetSession: Active and Paused sessions; Expired ones are gone as far as reads go. */
  get(functionName: string, sessionId: string, qualifier?: string): SessionRecord {
    return this.readable(functionName, sessionId, qualifier).record;
  }

  /** A session that is not Expired and, when `qualifier` is given, was created on it. */
  private readable(functionName: string, sessionId: string, qualifier?: string): LiveSession {
    const live = this.sessions.get(sessionKey(functionName, sessionId));
    if (live) this.refresh(live);
    if (!live || live.record.status === 'Expired' || (qualifier && live.record.qualifier !== qualifier))
      throw sessionNotFound(functionName, sessionId);
    return live;
  }

  list(
    functionName: string,
    query: { limit: number; nextToken?: string; sessionId?: string; sessionStatus?: string; qualifier?: string },
  ): { records: SessionRecord[]; nextToken?: string } {
    const order = (record: SessionRecord) => `${String(record.createdMs).padStart(15, '0')}/${record.sessionId}`;
    const all: SessionRecord[] = [];
    for (const live of this.sessions.values()) {
      if (live.record.functionName !== functionName) continue;
      this.refresh(live);
      if (query.sessionId && live.record.sessionId !== query.sessionId) continue;
      if (query.sessionStatus && live.record.status !== query.sessionStatus) continue;
      if (query.qualifier && live.record.qualifier !== query.qualifier) continue;
      all.push(live.record);
    }
    all.sort((a, b) => (order(a) < order(b) ? -1 : 1));
    const { page: records, ...next } = pageAfter(all, order, query.limit, query.nextToken);
    return { records, ...next };
  }

  async update(
    functionName: string,
    sessionId: string,
    input: UpdateSessionInput,
    qualifier?: string,
  ): Promise<SessionRecord> {
    const { record } = this.readable(functionName, sessionId, qualifier);
    if (input.sessionTTLInSeconds !== undefined) record.sessionTTLInSeconds = input.sessionTTLInSeconds;
    if (input.sessionIdleTimeoutInSeconds !== undefined)
      record.sessionIdleTimeoutInSeconds = input.sessionIdleTimeoutInSeconds;
    if (input.disableSessionIdReuse !== undefined) record.disableSessionIdReuse = input.disableSessionIdReuse;
    for (const name of ['nasConfig', 'ossMountConfig', 'polarFsConfig', 'juiceFsConfig'] as const) {
      if (input[name] !== undefined) record.mounts = { ...record.mounts, [name]: input[name] };
    }
    record.lastModifiedMs = Date.now();
    await this.store.saveSession(record);
    return record;
  }

  async delete(functionName: string, sessionId: string, qualifier?: string): Promise<void> {
    const key = sessionKey(functionName, sessionId);
    const live = this.sessions.get(key);
    if (!live || (qualifier && live.record.qualifier !== qualifier)) throw sessionNotFound(functionName, sessionId);
    this.unbind(key, live);
    this.sessions.delete(key);
    if (live.record.disableSessionIdReuse) this.retired.add(key);
    await this.store.removeSession(key, live.record.disableSessionIdReuse);
  }

  async setPaused(
    functionName: string,
    sessionId: string,
    paused: boolean,
    qualifier?: string,
  ): Promise<SessionRecord> {
    const live = this.readable(functionName, sessionId, qualifier);
    this.setStatus(live, paused ? 'Paused' : 'Active');
    await this.store.saveSession(live.record);
    return live.record;
  }

  private setStatus(live: LiveSession, status: SessionStatus): void {
    const now = Date.now();
    if (live.record.status === status) return;
    live.record.status = status;
    live.record.lastModifiedMs = now;
    live.record.lastActivityMs = now;
  }

  /**
   * Finds the instance for an invocation that carries `sessionId` (or none, when the function's
   * affinity makes the emulator generate one): the session's own instance, a new instance for a
   * session whose instance is gone, or a new session for an unknown or expired id.
   */
  async route(
    entry: FunctionEntry,
    sessionId: string | undefined,
    scope: SessionScope = LATEST_SCOPE,
  ): Promise<Routed> {
    const functionName = entry.record.functionName;
    const id = sessionId ?? newSessionId();
    if (!SESSION_ID.test(id)) {
      throw invalidArgument(
        `the session id "${id.slice(0, 80)}" must be 1-64 characters of letters, digits, "_" and "-", not starting with "-"`,
      );
    }
    const key = sessionKey(functionName, id);
    let live = this.sessions.get(key);
    if (live) this.refresh(live);
    let created = false;
    if (!live || live.record.status === 'Expired') {
      if (this.retired.has(key) || live?.record.disableSessionIdReuse) {
        throw invalidArgument(
          `the session id "${id}" belonged to a session that disabled id reuse (disableSessionIdReuse)`,
        );
      }
      live = await this.open(entry, id, {}, undefined, scope);
      created = true;
    } else if (live.record.qualifier !== scope.qualifier) {
      throw invalidArgument(
        `session "${id}" of function "${functionName}" belongs to qualifier ${live.record.qualifier}, not ${scope.qualifier}`,
      );
    }
    if (live.record.status === 'Paused') {
      if (this.settings.pausedInvocation === 'reject') {
        throw new ApiError(
          409,
          'SessionPaused',
          `session "${id}" of function "${functionName}" is paused; resume it first`,
        );
      }
      this.setStatus(live, 'Active');
    }
    live.record.lastActivityMs = Date.now();
    this.store.touch();
    const own = this.versionEntry(functionName, live.record.versionId ?? 'LATEST');
    const instance =
      live.instance?.alive && live.instance.state !== 'draining' ? live.instance : await this.rebind(own, key, live);
    return { record: live.record, instance, created, entry: own };
  }

  /** A request of the session ended: its idle clock starts again from now. */
  requestEnded(record: SessionRecord): void {
    record.lastActivityMs = Date.now();
    this.store.touch();
  }

  /** MCP streamable affinity: the function named the session (Mcp-Session-Id) in its answer from `instance`. */
  adopt(entry: FunctionEntry, sessionId: string, instance: Instance): void {
    const key = sessionKey(entry.record.functionName, sessionId);
    if (!SESSION_ID.test(sessionId) || this.sessions.get(key)?.record.status === 'Active') return;
    this.open(entry, sessionId, {}, instance).catch(() => undefined);
  }

  /** The live binding of an MCP session, if any (no session is created for unknown ids). */
  boundInstance(functionName: string, sessionId: string): Instance | undefined {
    const live = this.sessions.get(sessionKey(functionName, sessionId));
    if (!live) return undefined;
    this.refresh(live);
    if (live.record.status === 'Expired') return undefined;
    live.record.lastActivityMs = Date.now();
    this.store.touch();
    return live.instance?.alive && live.instance.state !== 'draining' ? live.instance : undefined;
  }

  forget(functionName: string, sessionId: string): void {
    const key = sessionKey(functionName, sessionId);
    const live = this.sessions.get(key);
    if (!live) return;
    this.unbind(key, live);
    this.sessions.delete(key);
    this.store.touch();
  }

  private rebind(entry: FunctionEntry, key: string, live: LiveSession): Promise<Instance> {
    live.rebinding ??= entry.pool
      .allocateSession(key)
      .then((instance) => {
        if (this.sessions.get(key) !== live || live.record.status === 'Expired') {
          instance.sessions.delete(key);
          throw new ApiError(
            404,
            'SessionNotFound',
            `session "${live.record.sessionId}" ended while it was being bound`,
          );
        }
        live.instance = instance;
        live.record.containerId = instance.id;
        live.record.lastModifiedMs = Date.now();
        this.store.touch();
        return instance;
      })
      .finally(() => {
        live.rebinding = undefined;
      });
    return live.rebinding;
  }

  onInstanceLost(instance: Instance): void {
    for (const key of instance.sessions) {
      const live = this.sessions.get(key);
      if (!live || live.instance !== instance) continue;
      live.instance = undefined;
      if (this.settings.onInstanceLoss === 'expire') this.expire(live);
    }
  }

  /** An alias moved: its sessions stay, follow it to its new version, or expire (`onAliasMove`). */
  onAliasMoved(functionName: string, aliasName: string, versionId: string): void {
    if (this.settings.onAliasMove === 'keep') return;
    for (const [key, live] of this.sessions) {
      const { record } = live;
      if (record.functionName !== functionName || record.qualifier !== aliasName || record.status === 'Expired')
        continue;
      if (this.settings.onAliasMove === 'expire') {
        this.expire(live);
      } else if ((record.versionId ?? 'LATEST') !== versionId) {
        this.unbind(key, live);
        record.versionId = versionId;
        record.lastModifiedMs = Date.now();
        this.store.touch();
      }
    }
  }

  /** A version is deleted: the sessions it serves expire. */
  onVersionDeleted(functionName: string, versionId: string): void {
    for (const live of this.sessions.values()) {
      const { record } = live;
      if (record.functionName === functionName && record.versionId === versionId && record.status !== 'Expired')
        this.expire(live);
    }
  }

  onFunctionDeleted(functionName: string): void {
    for (const [key, live] of this.sessions) {
      if (live.record.functionName === functionName) this.sessions.delete(key);
    }
    for (const key of this.retired) if (key.startsWith(`${functionName}/`)) this.retired.delete(key);
  }

  private unbind(key: string, live: LiveSession): void {
    live.instance?.sessions.delete(key);
    live.instance = undefined;
  }

  private expire(live: LiveSession): void {
    const now = Date.now();
    live.record.status = 'Expired';
    live.record.expiredMs = now;
    live.record.lastModifiedMs = now;
    this.unbind(sessionKey(live.record.functionName, live.record.sessionId), live);
    this.store.touch();
  }

  /** Expires the session now if its TTL or idle timeout has passed. */
  private refresh(live: LiveSession): void {
    if (live.record.status !== 'Expired' && Date.now() >= expiresAt(live.record)) this.expire(live);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, live] of this.sessions) {
      this.refresh(live);
      const { record } = live;
      if (record.status === 'Expired' && now - (record.expiredMs ?? now) >= this.settings.expiredRetentionMs) {
        this.sessions.delete(key);
        if (record.disableSessionIdReuse) this.retired.add(key);
        this.store.touch();
      }
    }
  }
}
