export { Credentials } from './credentials.js';
export type { HeaderGetter, HeaderRecord, HeaderSource, HeaderValue } from './headers.js';
export {
  type ControlKind,
  type Deadline,
  type Env,
  type Invocation,
  type InvocationType,
  type ReadOptions,
  readInvocation,
  type Tracing,
} from './invocation.js';
export { isKeepAlive, KEEP_ALIVE_EVENT, KEEP_ALIVE_HEADER } from './keep-alive.js';
export { createLogger, type Logger, type LoggerOptions, type LogLevel, logger } from './logger.js';
export {
  currentInvocation,
  currentRequest,
  currentSession,
  type FcRequest,
  type RequestOptions,
  readRequest,
  runWithRequest,
} from './request.js';
export {
  MCP_SESSION_HEADER,
  readSession,
  SESSION_COOKIE,
  SESSION_HEADER_ENV,
  type Session,
  type SessionOptions,
  type SessionSource,
} from './session.js';
export { createSessionState, type SessionState, type SessionStateOptions } from './session-state.js';
