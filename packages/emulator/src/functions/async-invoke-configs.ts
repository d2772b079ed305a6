import { ApiError } from '../errors.js';
import type { AsyncInvokeConfigRecord } from '../state/records.js';
import type { FunctionRegistry } from './function-registry.js';
import { pageAfter } from '../paging.js';

export type AsyncInvokeConfigInput = Omit<AsyncInvokeConfigRecord, 'qualifier' | 'createdMs' | 'lastModifiedMs'>;

const configNotFound = (functionName: string, qualifier: string) =>
  new ApiError(
    404,
    'AsyncConfigNotFound',
    `function "${functionName}" has no async invoke config for qualifier ${qualifier}`,
  );

/**
 * PutAsyncInvokeConfig and its kin, one config per function and qualifier, kept with the function.
 * The emulator records them; it runs every async invocation once and delivers no destinations.
 */
export class AsyncInvokeConfigs {
  constructor(
    private readonly functions: FunctionRegistry,
    private readonly persist: () => Promise<void>,
  ) {}

  async put(functionName: string, qualifier: string, input: AsyncInvokeConfigInput): Promise<AsyncInvokeConfigRecord> {
    const entry = this.functions.get(functionName);
    const { record } = entry;
    const current = record.asyncInvokeConfigs?.find((c) => c.qualifier === qualifier);
    const now = Date.now();
    const config: AsyncInvokeConfigRecord = {
      ...input,
      qualifier,
      createdMs: current?.createdMs ?? now,
      lastModifiedMs: now,
    };
    const others = (record.asyncInvokeConfigs ?? []).filter((c) => c.qualifier !== qualifier);
    entry.record = { ...record, asyncInvokeConfigs: [...others, config] };
    await this.persist();
    return config;
  }

  get(functionName: string, qualifier: string): AsyncInvokeConfigRecord {
    const config = this.functions.get(functionName).record.asyncInvokeConfigs?.find((c) => c.qualifier === qualifier);
    if (!config) throw configNotFound(functionName, qualifier);
    return config;
  }

  async delete(functionName: string, qualifier: string): Promise<void> {
    const entry = this.functions.get(functionName);
    const { record } = entry;
    this.get(functionName, qualifier);
    entry.record = {
      ...record,
      asyncInvokeConfigs: (record.asyncInvokeConfigs ?? []).filter((c) => c.qualifier !== qualifier),
    };
    await this.persist();
  }

  /** Every function's configs (or one function's), ordered by function name and qualifier. */
  list(query: { functionName?: string | undefined; limit: number; nextToken?: string | undefined }): {
    configs: Array<{ functionName: string; config: AsyncInvokeConfigRecord }>;
    nextToken?: string;
  } {
    const key = (item: { functionName: string; config: AsyncInvokeConfigRecord }) =>
      `${item.functionName}/${item.config.qualifier}`;
    const all = this.functions
      .all()
      .filter((entry) => !query.functionName || entry.record.functionName === query.functionName)
      .flatMap((entry) =>
        (entry.record.asyncInvokeConfigs ?? []).map((config) => ({ functionName: entry.record.functionName, config })),
      )
      .sort((a, b) => (key(a) < key(b) ? -1 : 1));
    const { page: configs, ...next } = pageAfter(all, key, query.limit, query.nextToken);
    return { configs, ...next };
  }
}
