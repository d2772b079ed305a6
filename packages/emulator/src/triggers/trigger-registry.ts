import { randomUUID } from 'node:crypto';
import { ApiError } from '../errors.js';
import { pageAfter } from '../paging.js';
import type { CreateTriggerInput, TriggerInput } from '../model/trigger-input.js';
import type { TriggerRecord } from '../state/records.js';

export interface TriggerHooks {
  /** A trigger was created, changed, restored (`record`) or removed (`undefined`). */
  readonly onChange: (functionName: string, triggerName: string, record: TriggerRecord | undefined) => void;
  /** Something worth writing to the data dir changed. */
  readonly persist: () => Promise<void>;
}

export const triggerNotFound = (functionName: string, triggerName: string): ApiError =>
  new ApiError(404, 'TriggerNotFound', `trigger "${triggerName}" of function "${functionName}" does not exist`);

/** The triggers of every function, by function and trigger name. */
export class TriggerRegistry {
  private readonly byFunction = new Map<string, Map<string, TriggerRecord>>();

  constructor(private readonly hooks: TriggerHooks) {}

  records(): TriggerRecord[] {
    return [...this.byFunction.values()].flatMap((triggers) => [...triggers.values()]);
  }

  restore(record: TriggerRecord): void {
    this.of(record.functionName, true).set(record.triggerName, record);
    this.hooks.onChange(record.functionName, record.triggerName, record);
  }

  get(functionName: string, triggerName: string): TriggerRecord {
    const record = this.byFunction.get(functionName)?.get(triggerName);
    if (!record) throw triggerNotFound(functionName, triggerName);
    return record;
  }

  /** The function's triggers of one type, by name. */
  ofType(functionName: string, type: string): TriggerRecord[] {
    return [...(this.byFunction.get(functionName)?.values() ?? [])].filter((r) => r.triggerType === type);
  }

  async create(functionName: string, input: CreateTriggerInput): Promise<TriggerRecord> {
    const triggers = this.of(functionName, true);
    if (triggers.has(input.triggerName))
      throw new ApiError(
        409,
        'TriggerAlreadyExists',
        `trigger "${input.triggerName}" of function "${functionName}" already exists`,
      );
    const now = Date.now();
    const record: TriggerRecord = {
      functionName,
      triggerName: input.triggerName,
      triggerType: input.triggerType,
      triggerId: randomUUID(),
      triggerConfig: input.triggerConfig,
      qualifier: input.qualifier ?? 'LATEST',
      ...(input.description === undefined ? {} : { description: input.description }),
      ...(input.invocationRole === undefined ? {} : { invocationRole: input.invocationRole }),
      ...(input.sourceArn === undefined ? {} : { sourceArn: input.sourceArn }),
      createdMs: now,
      lastModifiedMs: now,
    };
    triggers.set(record.triggerName, record);
    this.hooks.onChange(functionName, record.triggerName, record);
    await this.hooks.persist();
    return record;
  }

  /** Replaces the record (the state encoder compares records by identity) with the changed fields. */
  async update(functionName: string, triggerName: string, input: TriggerInput): Promise<TriggerRecord> {
    const current = this.get(functionName, triggerName);
    const record: TriggerRecord = { ...current, ...input, lastModifiedMs: Date.now() };
    this.of(functionName, true).set(triggerName, record);
    this.hooks.onChange(functionName, triggerName, record);
    await this.hooks.persist();
    return record;
  }

  async delete(functionName: string, triggerName: string): Promise<void> {
    this.get(functionName, triggerName);
    this.of(functionName, true).delete(triggerName);
    this.hooks.onChange(functionName, triggerName, undefined);
    await this.hooks.persist();
  }

  /** A deleted function takes its triggers with it (the caller persists). */
  onFunctionDeleted(functionName: string): void {
    for (const name of this.byFunction.get(functionName)?.keys() ?? [])
      this.hooks.onChange(functionName, name, undefined);
    this.byFunction.delete(functionName);
  }

  list(
    functionName: string,
    query: { prefix?: string; limit: number; nextToken?: string },
  ): { records: TriggerRecord[]; nextToken?: string } {
    const triggers = this.of(functionName, false);
    const names = [...triggers.keys()].filter((name) => !query.prefix || name.startsWith(query.prefix)).sort();
    const { page, ...next } = pageAfter(names, (name) => name, query.limit, query.nextToken);
    return { records: page.map((name) => triggers.get(name)!), ...next };
  }

  private of(functionName: string, create: boolean): Map<string, TriggerRecord> {
    let triggers = this.byFunction.get(functionName);
    if (!triggers) {
      triggers = new Map();
      if (create) this.byFunction.set(functionName, triggers);
    }
    return triggers;
  }
}
