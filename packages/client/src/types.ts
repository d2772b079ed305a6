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
}

/** Body of UpdateSession. */
export interface UpdateSessionInput {
  sessionTTLInSeconds?: number;
  sessionIdleTimeoutInSeconds?: number;
  disableSessionIdReuse?: boolean;
  nasConfig?: NasConfig;
  ossMountConfig?: OssMountConfig;
  polarFsConfig?: PolarFsConfig;
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
