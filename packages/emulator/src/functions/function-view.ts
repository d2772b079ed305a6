import { isoSeconds } from '../ids.js';
import type { FunctionRecord } from '../state/records.js';

/** A function as FC's GetFunction returns it. */
export function functionView(record: FunctionRecord, region: string, accountId: string): Record<string, unknown> {
  return {
    ...record.config,
    functionName: record.functionName,
    functionId: record.functionId,
    functionArn: `acs:fc:${region}:${accountId}:functions/${record.functionName}`,
    codeChecksum: record.codeChecksum,
    codeSize: record.codeSize,
    createdTime: isoSeconds(record.createdMs),
    lastModifiedTime: isoSeconds(record.lastModifiedMs),
    state: 'Active',
    lastUpdateStatus: 'Successful',
  };
}
