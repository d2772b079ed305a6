import { ApiError, functionNotFound } from '../errors.js';
import { newFunctionId } from '../ids.js';
import { pageAfter } from '../paging.js';
import { checkHandlerFiles } from './code-paths.js';
import type { InstanceHost, InstanceSpec } from '../instances/spec.js';
import { InstancePool, type PoolSettings } from '../instances/instance-pool.js';
import type { Instance } from '../instances/instance.js';
import type { KeyRing } from '../auth/key-ring.js';
import type { Affinity } from '../model/affinity.js';
import { affinityOf, type FunctionInput } from '../model/function-config.js';
import type { CodeStore } from '../state/code-store.js';
import type { FunctionRecord } from '../state/records.js';

export interface FunctionEntry {
  record: FunctionRecord;
  affinity: Affinity;
  readonly pool: InstancePool;
}

export interface RegistryHooks {
  /** Sessions bound to `instance` lost it (crash, timeout, stop, new code). */
  readonly onInstanceLost: (instance: Instance) => void;
  /** A function is going away: drop its sessions. */
  readonly onFunctionDeleted: (functionName: string) => void;
  /** Something worth writing to the data dir changed. */
  readonly persist: () => Promise<void>;
}

/** The functions the emulator hosts, each with its instance pool. */
export class FunctionRegistry {
  private readonly entries = new Map<string, FunctionEntry>();
  /** Names being created or updated right now (FC answers ConcurrentUpdateError for overlaps). */
  private readonly busy = new Set<string>();

  constructor(
    private readonly code: CodeStore,
    private readonly keys: KeyRing,
    private readonly host: InstanceHost,
    private readonly poolSettings: PoolSettings,
    private readonly roleCredentialSeconds: number,
    private readonly hooks: RegistryHooks,
  ) {}

  get(name: string): FunctionEntry {
    const entry = this.entries.get(name);
    if (!entry) throw functionNotFound(name);
    return entry;
  }

  find(name: string): FunctionEntry | undefined {
    return this.entries.get(name);
  }

  records(): FunctionRecord[] {
    return [...this.entries.values()].map((entry) => entry.record);
  }

  all(): FunctionEntry[] {
    return [...this.entries.values()];
  }

  /** Puts a function read back from the data dir into service (its code is already unpacked). */
  restore(record: FunctionRecord): void {
    const affinity = affinityOf(record.config);
    const pool = new InstancePool(
      this.specOf(record),
      affinity.sessionConcurrencyPerInstance,
      this.host,
      this.poolSettings,
      this.hooks.onInstanceLost,
    );
    this.entries.set(record.functionName, { record, affinity, pool });
  }

  /**
   * An entry with its own instance pool for a published version of a function (its snapshot of
   * configuration and code). It is not registered here: the caller keeps it and closes its pool.
   */
  versionEntry(record: FunctionRecord, versionId: string): FunctionEntry {
    const affinity = affinityOf(record.config);
    const pool = new InstancePool(
      { ...this.specOf(record), versionId },
      affinity.sessionConcurrencyPerInstance,
      this.host,
      this.poolSettings,
      this.hooks.onInstanceLost,
    );
    return { record, affinity, pool };
  }

  async create(input: FunctionInput): Promise<FunctionRecord> {
    const name = input.config.functionName!;
    if (this.entries.has(name) || this.busy.has(name)) {
      throw new ApiError(409, 'FunctionAlreadyExists', `function "${name}" already exists`);
    }
    this.busy.add(name);
    try {
      const functionId = newFunctionId();
      const installed = await this.code
        .install(functionId, input.code!.zipFile!, (dir) => checkHandlerFiles(dir, input.config))
        .catch(async (error: unknown) => {
          await this.code.prune(functionId);
          throw error;
        });
      const now = Date.now();
      const record: FunctionRecord = {
        functionId,
        functionName: name,
        config: input.config,
        codeChecksum: installed.checksum,
        codeSize: installed.size,
        createdMs: now,
        lastModifiedMs: now,
      };
      this.restore(record);
      await this.hooks.persist();
      return record;
    } finally {
      this.busy.delete(name);
    }
  }

  async update(name: string, parse: (current: FunctionRecord) => FunctionInput): Promise<FunctionRecord> {
    const entry = this.get(name);
    if (this.busy.has(name))
      throw new ApiError(409, 'ConcurrentUpdateError', `function "${name}" is being updated by another request`);
    this.busy.add(name);
    try {
      const input = parse(entry.record);
      const installed = input.code
        ? await this.code.install(entry.record.functionId, input.code.zipFile!, (dir) =>
            checkHandlerFiles(dir, input.config),
          )
        : await checkHandlerFiles(this.code.dir(entry.record.functionId, entry.record.codeChecksum), input.config);
      const record: FunctionRecord = {
        ...entry.record,
        config: input.config,
        codeChecksum: installed?.checksum ?? entry.record.codeChecksum,
        codeSize: installed?.size ?? entry.record.codeSize,
        lastModifiedMs: Date.now(),
      };
      entry.record = record;
      entry.affinity = affinityOf(record.config);
      entry.pool.replaceSpec(this.specOf(record), entry.affinity.sessionConcurrencyPerInstance);
      await this.hooks.persist();
      if (installed) await this.code.prune(record.functionId, codeInUse(record));
      return record;
    } finally {
      this.busy.delete(name);
    }
  }

  async delete(name: string): Promise<void> {
    const entry = this.get(name);
    this.entries.delete(name);
    this.hooks.onFunctionDeleted(name);
    await entry.pool.close();
    await this.hooks.persist();
    await this.code.prune(entry.record.functionId);
  }

  list(query: { prefix?: string; limit: number; nextToken?: string }): {
    records: FunctionRecord[];
    nextToken?: string;
  } {
    const names = [...this.entries.keys()].filter((name) => !query.prefix || name.startsWith(query.prefix)).sort();
    const { page, ...next } = pageAfter(names, (name) => name, query.limit, query.nextToken);
    return { records: page.map((name) => this.entries.get(name)!.record), ...next };
  }

  async close(): Promise<void> {
    await Promise.all([...this.entries.values()].map((entry) => entry.pool.close()));
  }

  /** The function made as `functionId` still exists and has a role: the keys its instances were handed stay valid. */
  private hasRole(name: string, functionId: string): boolean {
    const record = this.entries.get(name)?.record;
    return record?.functionId === functionId && Boolean(record.config.role);
  }

  private specOf(record: FunctionRecord): InstanceSpec {
    const { config } = record;
    const lifecycle = config.instanceLifecycleConfig;
    const hook = (value: { handler?: string; timeout?: number } | undefined) =>
      value?.handler ? { handler: value.handler, timeoutSeconds: value.timeout ?? 3 } : undefined;
    return {
      functionName: record.functionName,
      runtime: config.runtime!,
      handler: config.handler!,
      memorySize: config.memorySize ?? 512,
      timeoutSeconds: config.timeout ?? 3,
      instanceConcurrency: config.instanceConcurrency ?? 1,
      codeDir: this.code.dir(record.functionId, record.codeChecksum),
      codeChecksum: record.codeChecksum,
      environmentVariables: config.environmentVariables ?? {},
      command: config.customRuntimeConfig?.command,
      args: config.customRuntimeConfig?.args,
      initializer: hook(lifecycle?.initializer),
      preStop: hook(lifecycle?.preStop),
      credentials:
        config.role && config.disableInjectCredentials !== 'All'
          ? this.keys.mint(this.roleCredentialSeconds, () => this.hasRole(record.functionName, record.functionId))
          : undefined,
    };
  }
}

/** The code checksums a function still runs: LATEST's and every published version's. */
export function codeInUse(record: FunctionRecord): string[] {
  return [record.codeChecksum, ...(record.versions ?? []).map((version) => version.codeChecksum)];
}
