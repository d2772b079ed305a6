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
  /** Published versions, oldest first. Replaced, never changed in place. */
  versions?: readonly VersionRecord[];
  /** The last version number handed out (numbers are never reused, even after a delete). */
  lastVersionId?: number;
  aliases?: readonly AliasRecord[];
  asyncInvokeConfigs?: readonly AsyncInvokeConfigRecord[];
}

/** A published version: the function's configuration and code when it was published. */
export interface VersionRecord {
  readonly versionId: string;
  readonly description: string;
  readonly config: FunctionConfig;
  readonly codeChecksum: string;
  readonly codeSize: number;
  readonly createdMs: number;
}

export interface AliasRecord {
  readonly aliasName: string;
  readonly versionId: string;
  readonly description: string;
  /** Canary versions and their share of the calls without a session. */
  readonly additionalVersionWeight: Readonly<Record<string, number>>;
  readonly createdMs: number;
  readonly lastModifiedMs: number;
}

/** PutAsyncInvokeConfig of one qualifier, as sent. */
export interface AsyncInvokeConfigRecord {
  readonly qualifier: string;
  readonly asyncTask?: boolean;
  readonly maxAsyncRetryAttempts?: number;
  readonly maxAsyncEventAgeInSeconds?: number;
  readonly destinationConfig?: {
    readonly onSuccess?: { readonly destination?: string };
    readonly onFailure?: { readonly destination?: string };
  };
  readonly createdMs: number;
  readonly lastModifiedMs: number;
}

/** A trigger as kept in the data dir; `triggerConfig` is the JSON text FC answers. */
export interface TriggerRecord {
  readonly functionName: string;
  readonly triggerName: string;
  readonly triggerType: string;
  readonly triggerId: string;
  triggerConfig: string;
  qualifier: string;
  description?: string;
  invocationRole?: string;
  readonly sourceArn?: string;
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
  /** The qualifier the session was created on (LATEST, a version or an alias): it serves no other. */
  readonly qualifier: string;
  /** The version whose instance serves it (absent: LATEST). */
  versionId?: string;
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

/** `<functionName>/<sessionId>`: how sessions are keyed, in memory, in `retiredSessionIds` and in the journal. */
export function sessionKey(functionName: string, sessionId: string): string {
  return `${functionName}/${sessionId}`;
}

export interface StateFile {
  readonly version: 1;
  readonly functions: FunctionRecord[];
  /** Absent in state files written before the emulator had triggers. */
  readonly triggers?: TriggerRecord[];
  readonly sessions: SessionRecord[];
  /** `<functionName>/<sessionId>` of deleted or purged sessions whose id may not be reused. */
  readonly retiredSessionIds: string[];
  /** The journal generation that starts with this file (absent: 0); see `Journal`. */
  readonly journal?: number;
}
