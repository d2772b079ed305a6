import { canonicalJson } from '@fc-sessions/internals/canonical-json';
import { ApiError } from '../errors.js';
import { Instance } from './instance.js';
import type { InstanceHost, InstanceSpec } from './spec.js';

export interface PoolSettings {
  /** Most instances one function may run at once. */
  readonly maxInstances: number;
  /** An instance with no session, no request and no traffic for this long is stopped. */
  readonly idleMs: number;
}

/** Equal by value; role credentials are minted anew on every update, so only whether there are any counts. */
function sameSpec(a: InstanceSpec, b: InstanceSpec): boolean {
  if (a === b) return true;
  const { credentials: ca, ...restA } = a;
  const { credentials: cb, ...restB } = b;
  return (ca === undefined) === (cb === undefined) && canonicalJson(restA) === canonicalJson(restB);
}

/**
 * The instances of one function. Requests without a session take a free request slot on any
 * instance (starting one when all are busy, up to `maxInstances`, then waiting in line); new
 * sessions go to an instance with fewer than `sessionConcurrencyPerInstance` sessions or a new one.
 */
export class InstancePool {
  readonly instances = new Set<Instance>();
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    private spec: InstanceSpec,
    private sessionsPerInstance: number,
    private readonly host: InstanceHost,
    private readonly settings: PoolSettings,
    private readonly onInstanceLost: (instance: Instance) => void,
  ) {
    const every = Math.max(50, Math.min(1000, Math.floor(settings.idleMs / 2)));
    this.sweepTimer = setInterval(() => this.reclaimIdle(), every);
    this.sweepTimer.unref();
  }

  get current(): InstanceSpec {
    return this.spec;
  }

  /**
   * New configuration or code: running instances finish what they are doing and stop; new ones
   * use `spec`. A spec equal to the current one by value (an update that changed nothing an
   * instance runs with) keeps the instances and their sessions.
   */
  replaceSpec(spec: InstanceSpec, sessionsPerInstance: number): void {
    this.sessionsPerInstance = sessionsPerInstance;
    if (sameSpec(spec, this.spec)) return;
    this.spec = spec;
    for (const instance of this.instances) {
      if (instance.state === 'draining') continue;
      instance.state = 'draining';
      this.onInstanceLost(instance);
      instance.sessions.clear();
      this.stopWhenIdle(instance);
    }
  }

  private launch(): Instance {
    const instance = new Instance(this.spec, this.host);
    this.instances.add(instance);
    instance.onExit = (gone) => this.forget(gone);
    instance.ready.catch(() => this.forget(instance));
    return instance;
  }

  private forget(instance: Instance): void {
    if (!this.instances.delete(instance)) return;
    if (instance.sessions.size > 0) this.onInstanceLost(instance);
    instance.sessions.clear();
  }

  private usableCount(): number {
    let count = 0;
    for (const instance of this.instances) if (this.usable(instance)) count++;
    return count;
  }

  private usable(instance: Instance): boolean {
    return instance.state === 'ready' || instance.state === 'starting';
  }

  /** A request slot on some instance, for a request that carries no session. */
  async acquireAny(): Promise<Instance> {
    let starting: Instance | undefined;
    let shortest: Instance | undefined;
    for (const instance of this.instances) {
      if (!this.usable(instance)) continue;
      if (instance.state === 'ready' && instance.tryAcquire()) return instance;
      if (!starting && instance.state === 'starting' && instance.active < instance.limit) starting = instance;
      if (!shortest || instance.active + instance.queued < shortest.active + shortest.queued) shortest = instance;
    }
    if (!starting && (!shortest || this.usableCount() < this.settings.maxInstances)) {
      const fresh = this.launch();
      fresh.tryAcquire();
      return this.whenReady(fresh);
    }
    const chosen = (starting ?? shortest)!;
    await chosen.acquire();
    return this.whenReady(chosen);
  }

  private async whenReady(instance: Instance): Promise<Instance> {
    try {
      await instance.ready;
    } catch (error) {
      instance.release();
      throw error;
    }
    return instance;
  }

  /** Binds `sessionKey` to an instance with room for another session, starting one if needed. */
  async allocateSession(sessionKey: string): Promise<Instance> {
    let chosen: Instance | undefined;
    for (const instance of this.instances) {
      if (!this.usable(instance)) continue;
      if (instance.sessions.size + instance.reservedSessions >= this.sessionsPerInstance) continue;
      if (!chosen || (chosen.state === 'starting' && instance.state === 'ready')) chosen = instance;
    }
    if (!chosen) {
      if (this.usableCount() >= this.settings.maxInstances) {
        throw new ApiError(
          429,
          'ResourceExhausted',
          `function "${this.spec.functionName}" already runs ${this.settings.maxInstances} instances (the emulator's maxInstancesPerFunction) and each holds ${this.sessionsPerInstance} sessions`,
        );
      }
      chosen = this.launch();
    }
    chosen.reservedSessions++;
    try {
      await chosen.ready;
    } finally {
      chosen.reservedSessions--;
    }
    chosen.sessions.add(sessionKey);
    chosen.lastUsedMs = Date.now();
    return chosen;
  }

  /** Stops an instance now (after a timeout or crash) so that the next request gets a fresh one. */
  discard(instance: Instance): void {
    this.forget(instance);
    instance.stop(false).catch(() => undefined);
  }

  private stopWhenIdle(instance: Instance): void {
    if (instance.active === 0 && instance.queued === 0) {
      this.forget(instance);
      instance.stop().catch(() => undefined);
    }
  }

  private reclaimIdle(): void {
    const now = Date.now();
    for (const instance of this.instances) {
      if (instance.state === 'draining') {
        this.stopWhenIdle(instance);
        continue;
      }
      if (
        instance.state === 'ready' &&
        instance.sessions.size === 0 &&
        instance.reservedSessions === 0 &&
        instance.active === 0 &&
        instance.queued === 0 &&
        now - instance.lastUsedMs >= this.settings.idleMs
      ) {
        this.forget(instance);
        instance.stop().catch(() => undefined);
      }
    }
  }

  async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    const all = [...this.instances];
    this.instances.clear();
    await Promise.all(all.map((instance) => instance.stop().catch(() => undefined)));
  }
}
