import { ApiError, invalidArgument } from '../errors.js';
import type { AliasRecord, FunctionRecord, VersionRecord } from '../state/records.js';
import type { FunctionEntry, FunctionRegistry } from './function-registry.js';
import { pageAfter } from '../paging.js';

/** What a qualifier resolved to: the version that serves the call and the entry (pool) that runs it. */
export interface Target {
  /** As the caller named it: LATEST, a version number or an alias. */
  readonly qualifier: string;
  /** LATEST or a version number. */
  readonly versionId: string;
  readonly entry: FunctionEntry;
}

export const LATEST = 'LATEST';
const QUALIFIER = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,127}$/;

export interface VersionsHooks {
  /** Frees the code folders a function no longer runs. */
  readonly prune: (record: FunctionRecord) => Promise<void>;
  readonly persist: () => Promise<void>;
  /** An alias now points at another version (or other weights). */
  readonly onAliasMoved: (functionName: string, aliasName: string, versionId: string) => void;
  /** A version is going away: its sessions end. */
  readonly onVersionDeleted: (functionName: string, versionId: string) => void;
}

const versionNotFound = (functionName: string, versionId: string) =>
  new ApiError(404, 'VersionNotFound', `version "${versionId}" of function "${functionName}" does not exist`);
const aliasNotFound = (functionName: string, aliasName: string) =>
  new ApiError(404, 'AliasNotFound', `alias "${aliasName}" of function "${functionName}" does not exist`);

/** Sorts version ids as numbers, as text: zero-padded. */
const versionKey = (versionId: string) => versionId.padStart(10, '0');

/**
 * Published versions and aliases of the registry's functions. A version is an immutable snapshot
 * of a function's configuration and code with an instance pool of its own (started on first use);
 * an alias points at a version and may send a share of the calls without a session to others.
 */
export class Versions {
  private readonly entries = new Map<string, FunctionEntry>();

  constructor(
    private readonly functions: FunctionRegistry,
    private readonly hooks: VersionsHooks,
  ) {}

  /** Resolves a qualifier (absent: LATEST). Weighted aliases pick a version with `random`. */
  resolve(functionName: string, qualifier: string | null | undefined, random: () => number = Math.random): Target {
    const asked = qualifier || LATEST;
    if (!QUALIFIER.test(asked)) {
      throw invalidArgument(
        `qualifier must be LATEST, a version number or an alias name (1-128 of letters, digits, "_", "-"); got "${asked.slice(0, 40)}"`,
      );
    }
    const latest = this.functions.get(functionName);
    if (asked === LATEST) return { qualifier: LATEST, versionId: LATEST, entry: latest };
    if (/^\d+$/.test(asked)) return { qualifier: asked, versionId: asked, entry: this.entryOf(functionName, asked) };
    const alias = this.alias(latest.record, asked);
    const versionId = pickVersion(alias, random);
    return { qualifier: asked, versionId, entry: this.entryOf(functionName, versionId) };
  }

  /** The entry that runs `versionId` of a function (LATEST: the registry's own). */
  entryOf(functionName: string, versionId: string): FunctionEntry {
    const latest = this.functions.get(functionName);
    if (versionId === LATEST) return latest;
    const key = `${functionName}@${versionId}`;
    const known = this.entries.get(key);
    if (known) return known;
    const version = latest.record.versions?.find((v) => v.versionId === versionId);
    if (!version) throw versionNotFound(functionName, versionId);
    const entry = this.functions.versionEntry(
      {
        functionId: latest.record.functionId,
        functionName,
        config: version.config,
        codeChecksum: version.codeChecksum,
        codeSize: version.codeSize,
        createdMs: version.createdMs,
        lastModifiedMs: version.createdMs,
      },
      versionId,
    );
    this.entries.set(key, entry);
    return entry;
  }

  async publish(functionName: string, description: string | undefined): Promise<VersionRecord> {
    const entry = this.functions.get(functionName);
    const { record } = entry;
    const versionId = String((record.lastVersionId ?? 0) + 1);
    const version: VersionRecord = {
      versionId,
      description: description ?? '',
      config: record.config,
      codeChecksum: record.codeChecksum,
      codeSize: record.codeSize,
      createdMs: Date.now(),
    };
    entry.record = {
      ...record,
      versions: [...(record.versions ?? []), version],
      lastVersionId: Number(versionId),
    };
    await this.hooks.persist();
    return version;
  }

  listVersions(
    functionName: string,
    query: { limit: number; nextToken?: string | undefined; direction: 'FORWARD' | 'BACKWARD' },
  ): { versions: VersionRecord[]; nextToken?: string } {
    const all = [...(this.functions.get(functionName).record.versions ?? [])];
    const forward = query.direction === 'FORWARD';
    if (!forward) all.reverse();
    // BACKWARD pages by the inverted key so that "after the token" still means "further along".
    const key = (v: VersionRecord) => (forward ? versionKey(v.versionId) : String(9_999_999_999 - Number(v.versionId)));
    const { page: versions, ...next } = pageAfter(all, key, query.limit, query.nextToken);
    return { versions, ...next };
  }

  /** Refused (409 VersionInUse, a guess) while an alias points at the version or weighs it. */
  async deleteVersion(functionName: string, versionId: string): Promise<void> {
    const entry = this.functions.get(functionName);
    const { record } = entry;
    if (!record.versions?.some((v) => v.versionId === versionId)) throw versionNotFound(functionName, versionId);
    const users = (record.aliases ?? []).filter(
      (alias) => alias.versionId === versionId || alias.additionalVersionWeight[versionId] !== undefined,
    );
    if (users.length > 0) {
      throw new ApiError(
        409,
        'VersionInUse',
        `version "${versionId}" of function "${functionName}" is used by alias ${users.map((a) => `"${a.aliasName}"`).join(', ')}; point the alias elsewhere first`,
      );
    }
    entry.record = { ...record, versions: record.versions.filter((v) => v.versionId !== versionId) };
    this.hooks.onVersionDeleted(functionName, versionId);
    const key = `${functionName}@${versionId}`;
    const running = this.entries.get(key);
    this.entries.delete(key);
    await running?.pool.close();
    await this.hooks.persist();
    await this.hooks.prune(entry.record);
  }

  getAlias(functionName: string, aliasName: string): AliasRecord {
    return this.alias(this.functions.get(functionName).record, aliasName);
  }

  async createAlias(
    functionName: string,
    input: {
      aliasName: string;
      versionId: string;
      description?: string | undefined;
      additionalVersionWeight?: Record<string, number> | undefined;
    },
  ): Promise<AliasRecord> {
    const entry = this.functions.get(functionName);
    const { record } = entry;
    if (record.aliases?.some((a) => a.aliasName === input.aliasName)) {
      throw new ApiError(
        409,
        'AliasAlreadyExists',
        `alias "${input.aliasName}" of function "${functionName}" already exists`,
      );
    }
    const weights = input.additionalVersionWeight ?? {};
    this.checkVersions(record, input.versionId, weights);
    const now = Date.now();
    const alias: AliasRecord = {
      aliasName: input.aliasName,
      versionId: input.versionId,
      description: input.description ?? '',
      additionalVersionWeight: weights,
      createdMs: now,
      lastModifiedMs: now,
    };
    entry.record = { ...record, aliases: [...(record.aliases ?? []), alias] };
    await this.hooks.persist();
    return alias;
  }

  async updateAlias(
    functionName: string,
    aliasName: string,
    input: {
      versionId?: string | undefined;
      description?: string | undefined;
      additionalVersionWeight?: Record<string, number> | undefined;
    },
  ): Promise<AliasRecord> {
    const entry = this.functions.get(functionName);
    const { record } = entry;
    const current = this.alias(record, aliasName);
    const updated: AliasRecord = {
      ...current,
      versionId: input.versionId ?? current.versionId,
      description: input.description ?? current.description,
      additionalVersionWeight: input.additionalVersionWeight ?? current.additionalVersionWeight,
      lastModifiedMs: Date.now(),
    };
    this.checkVersions(record, updated.versionId, updated.additionalVersionWeight);
    entry.record = {
      ...record,
      aliases: (record.aliases ?? []).map((alias) => (alias.aliasName === aliasName ? updated : alias)),
    };
    const moved =
      updated.versionId !== current.versionId ||
      JSON.stringify(updated.additionalVersionWeight) !== JSON.stringify(current.additionalVersionWeight);
    if (moved) this.hooks.onAliasMoved(functionName, aliasName, updated.versionId);
    await this.hooks.persist();
    return updated;
  }

  listAliases(
    functionName: string,
    query: { limit: number; nextToken?: string | undefined; prefix?: string | undefined },
  ): { aliases: AliasRecord[]; nextToken?: string } {
    const all = (this.functions.get(functionName).record.aliases ?? [])
      .filter((alias) => !query.prefix || alias.aliasName.startsWith(query.prefix))
      .sort((a, b) => (a.aliasName < b.aliasName ? -1 : 1));
    const { page: aliases, ...next } = pageAfter(all, (a) => a.aliasName, query.limit, query.nextToken);
    return { aliases, ...next };
  }

  async deleteAlias(functionName: string, aliasName: string): Promise<void> {
    const entry = this.functions.get(functionName);
    const { record } = entry;
    this.alias(record, aliasName);
    entry.record = { ...record, aliases: (record.aliases ?? []).filter((alias) => alias.aliasName !== aliasName) };
    await this.hooks.persist();
  }

  /** The function is gone: stop the instances of its versions. */
  async onFunctionDeleted(functionName: string): Promise<void> {
    const gone = [...this.entries].filter(([key]) => key.startsWith(`${functionName}@`));
    for (const [key] of gone) this.entries.delete(key);
    await Promise.all(gone.map(([, entry]) => entry.pool.close()));
  }

  /** Every version pool, for the admin API and shutdown. */
  all(): FunctionEntry[] {
    return [...this.entries.values()];
  }

  async close(): Promise<void> {
    await Promise.all([...this.entries.values()].map((entry) => entry.pool.close()));
    this.entries.clear();
  }

  private alias(record: FunctionRecord, aliasName: string): AliasRecord {
    const alias = record.aliases?.find((a) => a.aliasName === aliasName);
    if (!alias) throw aliasNotFound(record.functionName, aliasName);
    return alias;
  }

  private checkVersions(record: FunctionRecord, versionId: string, weights: Readonly<Record<string, number>>): void {
    for (const id of [versionId, ...Object.keys(weights)]) {
      if (!record.versions?.some((v) => v.versionId === id)) throw versionNotFound(record.functionName, id);
    }
    if (weights[versionId] !== undefined) {
      throw invalidArgument(`additionalVersionWeight must not name the alias's own version "${versionId}"`);
    }
  }
}

/** The alias's version, or one of its canary versions by weight. */
function pickVersion(alias: AliasRecord, random: () => number): string {
  let roll = random();
  for (const [versionId, weight] of Object.entries(alias.additionalVersionWeight)) {
    if (roll < weight) return versionId;
    roll -= weight;
  }
  return alias.versionId;
}
