import type { FunctionConfig } from '../model/function-config.js';
import type { MountConfigs } from '../model/session-input.js';

/** A function as kept in the data dir: its validated configuration and which code it runs. */
export interface FunctionRecord {
  readonly functionId: string;
  readonly functionName: string;
  config: FunctionConfig;
  codeChecksum: string;
  codeSize: number;
  readonly createdMs: number;
  lastModifiedMs: number;
}

export type SessionStatus = 'Active' | 'Paused' | 'Expired';

/**
 * A session as kept in the data dir. `containerId` is the instance it was last bound to. Change it
 * by assigning its fields and replace `mounts` rather than changing it in place: the state file
 * encodes a record again only when one of its fields is no longer the same value.
 */
export interface SessionRecord {
  readonly sessionId: string;
  readonly functionName: string;
  readonly qualifier: string;
  readonly sessionAffinityType: string;
  sessionTTLInSeconds: number;
  sessionIdleTimeoutInSeconds: number;
  disableSessionIdReuse: boolean;
  mounts: MountConfigs;
  status: SessionStatus;
  containerId: string;
  readonly createdMs: number;
  lastModifiedMs: number;
  lastActivityMs: number;
  expiredMs?: number;
}

export interface StateFile {
  readonly version: 1;
  readonly functions: FunctionRecord[];
  readonly sessions: SessionRecord[];
  /** `<functionName>/<sessionId>` of deleted or purged sessions whose id may not be reused. */
  readonly retiredSessionIds: string[];
}
