import { currentSession } from './request.js';

/** FC's longest session idle timeout, in seconds. */
const MAX_IDLE_SECONDS = 21_600;

export interface SessionStateOptions<T> {
  /** Forget a session this long after its last use; match the function's `sessionIdleTimeoutInSeconds`. Default 1800. */
  readonly idleTimeoutSeconds?: number;
  /** Keep at most this many sessions, forgetting the least recently used first. Default: no limit. */
  readonly maxSessions?: number;
  /** Makes the value of a session `current()` meets for the first time. */
  readonly create?: (sessionId: string) => T;
  /** Called synchronously when a value leaves: idle, over `maxSessions`, replaced, deleted or cleared. */
  readonly onEvict?: (value: T, sessionId: string) => void;
}

/** Values kept on the instance per session id; each is forgotten once its session has been idle too long. */
export interface SessionState<T> {
  get(sessionId: string): T | undefined;
  set(sessionId: string, value: T): this;
  has(sessionId: string): boolean;
  delete(sessionId: string): boolean;
  clear(): void;
  readonly size: number;
  /** The current request's session value, made by `create` when missing; `undefined` outside a session. */
  current(): T | undefined;
}

interface Entry<T> {
  readonly value: T;
  readonly usedAt: number;
}

class SessionStateMap<T> implements SessionState<T> {
  // Map order is least recently used first: every use re-inserts its entry at the end.
  readonly #entries = new Map<string, Entry<T>>();
  readonly #idleMs: number;
  readonly #maxSessions: number;
  readonly #create: ((sessionId: string) => T) | undefined;
  readonly #onEvict: ((value: T, sessionId: string) => void) | undefined;

  constructor(idleMs: number, maxSessions: number, options: SessionStateOptions<T>) {
    this.#idleMs = idleMs;
    this.#maxSessions = maxSessions;
    this.#create = options.create;
    this.#onEvict = options.onEvict;
  }

  get size(): number {
    this.#forgetIdle();
    return this.#entries.size;
  }

  get(sessionId: string): T | undefined {
    this.#forgetIdle();
    const entry = this.#entries.get(sessionId);
    if (entry === undefined) return undefined;
    this.#entries.delete(sessionId);
    this.#entries.set(sessionId, { value: entry.value, usedAt: Date.now() });
    return entry.value;
  }

  set(sessionId: string, value: T): this {
    this.#forgetIdle();
    const old = this.#entries.get(sessionId);
    this.#entries.delete(sessionId);
    this.#entries.set(sessionId, { value, usedAt: Date.now() });
    if (old !== undefined && old.value !== value) this.#onEvict?.(old.value, sessionId);
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxSessions) break;
      this.#remove(oldest);
    }
    return this;
  }

  has(sessionId: string): boolean {
    this.#forgetIdle();
    return this.#entries.has(sessionId);
  }

  delete(sessionId: string): boolean {
    this.#forgetIdle();
    return this.#remove(sessionId);
  }

  clear(): void {
    for (const sessionId of [...this.#entries.keys()]) this.#remove(sessionId);
  }

  current(): T | undefined {
    const sessionId = currentSession()?.id;
    if (sessionId === undefined) return undefined;
    if (this.has(sessionId) || this.#create === undefined) return this.get(sessionId);
    const value = this.#create(sessionId);
    this.set(sessionId, value);
    return value;
  }

  #remove(sessionId: string): boolean {
    const entry = this.#entries.get(sessionId);
    if (entry === undefined) return false;
    this.#entries.delete(sessionId);
    this.#onEvict?.(entry.value, sessionId);
    return true;
  }

  #forgetIdle(): void {
    const cutoff = Date.now() - this.#idleMs;
    for (const [sessionId, entry] of this.#entries) {
      if (entry.usedAt > cutoff) break;
      this.#remove(sessionId);
    }
  }
}

/**
 * A typed store of per-session values on this instance, so a sticky session can keep warm state
 * (a parsed document, a connection, a cache) between its requests. Throws a RangeError for bad options.
 */
export function createSessionState<T>(options: SessionStateOptions<T> = {}): SessionState<T> {
  const idle = options.idleTimeoutSeconds ?? 1800;
  if (typeof idle !== 'number' || !(idle > 0 && idle <= MAX_IDLE_SECONDS)) {
    throw new RangeError(
      `createSessionState: idleTimeoutSeconds must be a number of seconds above 0 and at most ${MAX_IDLE_SECONDS} (got ${String(idle)})`,
    );
  }
  const max = options.maxSessions ?? Number.POSITIVE_INFINITY;
  if (max !== Number.POSITIVE_INFINITY && !(Number.isSafeInteger(max) && max >= 1)) {
    throw new RangeError(`createSessionState: maxSessions must be an integer of at least 1 (got ${String(max)})`);
  }
  return new SessionStateMap(idle * 1000, max, options);
}
