export {
  API_VERSION,
  type CallOptions,
  FcClient,
  type FcClientOptions,
  type Fc2InvokeOptions,
  type InvokeOptions,
  newSessionId,
  type QualifiedOptions,
} from './client.js';
export {
  ACCOUNT_ID_ENV,
  type ChainOptions,
  type CredentialsProvider,
  credentialsFromAliyunCli,
  credentialsFromEnv,
  credentialsFromServerlessDevs,
  defaultCredentialsChain,
  protectCredentials,
  REGION_ENV,
  resolveAccountId,
  resolveRegion,
} from './credentials.js';
export { ENDPOINT_ENV, type EndpointKind, type EndpointOptions, resolveEndpoint } from './endpoint.js';
export { errorFromResponse, FcError, type FcErrorInit, isRetryableStatus } from './errors.js';
export {
  type Fc2InvokeResult,
  type InvokeMeta,
  type InvokeResult,
  type InvokeStreamResult,
  MCP_SESSION_HEADER,
  SESSION_COOKIE,
  type SessionRoute,
} from './invoke.js';
export { backoffDelay, type RetryOptions } from './retry.js';
export type { Credentials } from './signing/types.js';
export type * from './types.js';
export { type CronField, nextFire, parseSchedule, type Schedule } from './schedule.js';
export * from './triggers.js';
export * from './limits.js';
export {
  validateAccountId,
  validateAffinityHeaderName,
  validateFunctionName,
  validateMountConfig,
  validateMountConfigs,
  validateQualifier,
  validateRegion,
  validateSessionId,
} from './validate.js';
export { validateAliasName, validateVersionId } from './versioning.js';
