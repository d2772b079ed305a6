/** How FC routes requests of one session to one instance (`sessionAffinity` of a function). */
export type SessionAffinity =
  | 'NONE'
  | 'HEADER_FIELD'
  | 'GENERATED_COOKIE'
  | 'MCP_SSE'
  | 'MCP_STREAMABLE'
  | (string & {});

/** `sessionAffinityConfig` of a function: a JSON string on the wire, an object here. */
export interface SessionAffinityConfig {
  affinityHeaderFieldName?: string;
  sessionConcurrencyPerInstance?: number;
  sessionTTLInSeconds?: number;
  sessionIdleTimeoutInSeconds?: number;
  disableSessionIdReuse?: boolean;
}

export interface NasMountPoint {
  serverAddr?: string;
  mountDir?: string;
  enableTLS?: boolean;
}
export interface NasConfig {
  userId?: number;
  groupId?: number;
  mountPoints?: NasMountPoint[];
}
export interface OssMountPoint {
  bucketName?: string;
  bucketPath?: string;
  endpoint?: string;
  mountDir?: string;
  readOnly?: boolean;
}
export interface OssMountConfig {
  mountPoints?: OssMountPoint[];
}
export interface PolarFsMountPoint {
  instanceId?: string;
  mountDir?: string;
  remoteDir?: string;
  readOnly?: boolean;
}
/** One JuiceFS volume; `token` is a secret and is never shown in an error. */
export interface JuiceFsMountPoint {
  volumeName?: string;
  token?: string;
  remoteDir?: string;
  mountDir?: string;
  args?: string[];
}
export interface JuiceFsConfig {
  envs?: Record<string, string>;
  mountPoints?: JuiceFsMountPoint[];
}
export interface PolarFsConfig {
  userId?: number;
  groupId?: number;
  mountPoints?: PolarFsMountPoint[];
}

/** Body of CreateSession. Omitted values come from the function's `sessionAffinityConfig`. */
export interface CreateSessionInput {
  /** Client-chosen id: 1-64 of `[A-Za-z0-9_-]`, not starting with `-`. The client makes one when omitted. */
  sessionId?: string;
  /** `SESSION_TTL` */
  sessionTTLInSeconds?: number;
  /** `SESSION_IDLE_TIMEOUT` */
  sessionIdleTimeoutInSeconds?: number;
  disableSessionIdReuse?: boolean;
  nasConfig?: NasConfig;
  ossMountConfig?: OssMountConfig;
  polarFsConfig?: PolarFsConfig;
  juiceFsConfig?: JuiceFsConfig;
}

/** Body of UpdateSession. */
export interface UpdateSessionInput {
  sessionTTLInSeconds?: number;
  sessionIdleTimeoutInSeconds?: number;
  disableSessionIdReuse?: boolean;
  nasConfig?: NasConfig;
  ossMountConfig?: OssMountConfig;
  polarFsConfig?: PolarFsConfig;
  juiceFsConfig?: JuiceFsConfig;
}

/** `SESSION_STATUSES`; FC may answer others. */
export type SessionStatus = 'Active' | 'Paused' | 'Expired' | (string & {});

export interface Session {
  sessionId: string;
  functionName: string;
  qualifier?: string;
  sessionAffinityType?: SessionAffinity;
  sessionTTLInSeconds?: number;
  sessionIdleTimeoutInSeconds?: number;
  sessionStatus?: SessionStatus;
  /** The instance the session is bound to. */
  containerId?: string;
  createdTime?: string;
  lastModifiedTime?: string;
  disableSessionIdReuse?: boolean;
  nasConfig?: NasConfig;
  ossMountConfig?: OssMountConfig;
  polarFsConfig?: PolarFsConfig;
  juiceFsConfig?: JuiceFsConfig;
}

export interface DeleteSessionOutput {
  /** true when a retry met 404: an earlier attempt deleted the session, or it was never there. */
  alreadyGone: boolean;
}

export interface ListSessionsInput {
  /** [1, 100] */
  limit?: number;
  nextToken?: string;
  qualifier?: string;
  sessionId?: string;
  sessionStatus?: SessionStatus;
}

export interface ListSessionsOutput {
  sessions: Session[];
  nextToken?: string;
}

export interface InstanceLifecycleHook {
  handler?: string;
  timeout?: number;
}

/** Function settings shared by create, update and read. */
export interface FunctionSettings {
  description?: string;
  runtime?: string;
  handler?: string;
  memorySize?: number;
  cpu?: number;
  diskSize?: number;
  timeout?: number;
  instanceConcurrency?: number;
  environmentVariables?: Record<string, string>;
  customRuntimeConfig?: {
    command?: string[];
    args?: string[];
    port?: number;
    healthCheckConfig?: Record<string, unknown>;
  };
  instanceLifecycleConfig?: { initializer?: InstanceLifecycleHook; preStop?: InstanceLifecycleHook };
  sessionAffinity?: SessionAffinity;
  sessionAffinityConfig?: SessionAffinityConfig;
  internetAccess?: boolean;
  role?: string;
  layers?: string[];
  vpcConfig?: Record<string, unknown>;
  logConfig?: Record<string, unknown>;
  nasConfig?: Record<string, unknown>;
  ossMountConfig?: Record<string, unknown>;
  tracingConfig?: Record<string, unknown>;
  gpuConfig?: Record<string, unknown>;
}

export interface FunctionInput extends FunctionSettings {
  /** `zipFile` is the base64 of a zip of the code directory. */
  code?: { zipFile?: string; ossBucketName?: string; ossObjectName?: string; checksum?: string };
}

export interface CreateFunctionInput extends FunctionInput {
  functionName: string;
  runtime: string;
}

export type UpdateFunctionInput = FunctionInput;

export interface FunctionConfig extends FunctionSettings {
  functionName: string;
  functionId?: string;
  functionArn?: string;
  codeChecksum?: string;
  codeSize?: number;
  createdTime?: string;
  lastModifiedTime?: string;
  state?: string;
}

export interface ListFunctionsInput {
  limit?: number;
  nextToken?: string;
  prefix?: string;
}

export interface ListFunctionsOutput {
  functions: FunctionConfig[];
  nextToken?: string;
}

// ---- versions and aliases ------------------------------------------------------------------

/** A published, immutable snapshot of a function's code and configuration. */
export interface FunctionVersion {
  /** `1`, `2`, ...: a new number for every publish. */
  versionId: string;
  description?: string;
  createdTime?: string;
  lastModifiedTime?: string;
}

export interface PublishFunctionVersionInput {
  description?: string;
}

export type VersionDirection = 'FORWARD' | 'BACKWARD';

export interface ListFunctionVersionsInput {
  limit?: number;
  nextToken?: string;
  /** `BACKWARD` (newest first, FC's default) or `FORWARD`. */
  direction?: VersionDirection;
}

export interface ListFunctionVersionsOutput {
  versions: FunctionVersion[];
  nextToken?: string;
  direction?: VersionDirection;
}

/** Canary weights: version id -> share of the calls, each in [0, 1], all together at most 1. */
export type AdditionalVersionWeight = Record<string, number>;

export interface Alias {
  aliasName: string;
  versionId?: string;
  description?: string;
  additionalVersionWeight?: AdditionalVersionWeight;
  createdTime?: string;
  lastModifiedTime?: string;
}

export interface CreateAliasInput {
  aliasName: string;
  versionId: string;
  description?: string;
  additionalVersionWeight?: AdditionalVersionWeight;
}

export interface UpdateAliasInput {
  versionId?: string;
  description?: string;
  additionalVersionWeight?: AdditionalVersionWeight;
}

export interface ListAliasesInput {
  limit?: number;
  nextToken?: string;
  prefix?: string;
}

export interface ListAliasesOutput {
  aliases: Alias[];
  nextToken?: string;
}

// ---- async tasks and async invoke config --------------------------------------------------

/** `ASYNC_TASK_STATUSES`; FC may answer others. */
export type AsyncTaskStatus =
  | 'Enqueued'
  | 'Dequeued'
  | 'Running'
  | 'Succeeded'
  | 'Failed'
  | 'Stopped'
  | 'Stopping'
  | 'Expired'
  | 'Invalid'
  | 'Retrying'
  | (string & {});

export interface AsyncTaskEvent {
  eventId?: number;
  status?: AsyncTaskStatus;
  /** Unix milliseconds. */
  timestamp?: number;
  eventDetail?: string;
}

export interface AsyncTask {
  taskId: string;
  status?: AsyncTaskStatus;
  functionArn?: string;
  qualifier?: string;
  requestId?: string;
  instanceId?: string;
  /** Unix milliseconds. */
  startedTime?: number;
  /** Unix milliseconds. */
  endTime?: number;
  durationMs?: number;
  alreadyRetriedTimes?: number;
  destinationStatus?: string;
  events?: AsyncTaskEvent[];
  /** The event the task was started with. */
  taskPayload?: string;
  /** What the function returned. */
  returnPayload?: string;
  taskErrorMessage?: string;
}

export interface ListAsyncTasksInput {
  limit?: number;
  nextToken?: string;
  /** Task ids starting with this. */
  prefix?: string;
  qualifier?: string;
  status?: AsyncTaskStatus;
  sortOrderByTime?: 'asc' | 'desc';
  /** Unix milliseconds. */
  startedTimeBegin?: number;
  /** Unix milliseconds. */
  startedTimeEnd?: number;
  /** Return each task's `taskPayload`. */
  includePayload?: boolean;
}

export interface ListAsyncTasksOutput {
  tasks: AsyncTask[];
  nextToken?: string;
}

export interface AsyncDestination {
  /** An ARN, e.g. `acs:fc:cn-hangzhou:123:functions/on-failure`. */
  destination?: string;
}

export interface AsyncDestinationConfig {
  onSuccess?: AsyncDestination;
  onFailure?: AsyncDestination;
}

/** Body of PutAsyncInvokeConfig. */
export interface PutAsyncInvokeConfigInput {
  /** Turn on async task mode (task ids, GetAsyncTask, StopAsyncTask). */
  asyncTask?: boolean;
  /** `ASYNC_EVENT_AGE` */
  maxAsyncEventAgeInSeconds?: number;
  /** `ASYNC_RETRY_ATTEMPTS` */
  maxAsyncRetryAttempts?: number;
  destinationConfig?: AsyncDestinationConfig;
}

export interface AsyncInvokeConfig extends PutAsyncInvokeConfigInput {
  functionArn?: string;
  createdTime?: string;
  lastModifiedTime?: string;
}

export interface ListAsyncInvokeConfigsInput {
  /** Only this function's configs. */
  functionName?: string;
  limit?: number;
  nextToken?: string;
}

export interface ListAsyncInvokeConfigsOutput {
  configs: AsyncInvokeConfig[];
  nextToken?: string;
}
