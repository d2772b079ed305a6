import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { header } from './transport.js';
import type { SessionAffinity } from './types.js';
import { invalid } from './validate.js';

/** The cookie FC uses for GENERATED_COOKIE affinity. */
export const SESSION_COOKIE = 'x-fc-cookie-session-id';
/** The header MCP streamable functions route by. */
export const MCP_SESSION_HEADER = 'mcp-session-id';

/**
 * How to reach a session. `id` omitted: route by the function's affinity and report the id FC
 * makes. `affinity` omitted: the client reads the function's settings once (GetFunction, cached).
 */
export interface SessionRoute {
  id?: string;
  affinity?: SessionAffinity;
  /** The HEADER_FIELD header name (`affinityHeaderFieldName`). */
  headerName?: string;
}

export interface ResolvedRoute {
  affinity: SessionAffinity;
  headerName?: string | undefined;
}

/** The request headers that carry `id` the way `route` wants. */
export function sessionHeaders(
  route: ResolvedRoute,
  id: string | undefined,
  functionName: string,
  cookie: string | undefined,
): Record<string, string> {
  if (id === undefined) return {};
  switch (route.affinity) {
    case 'HEADER_FIELD':
      if (!route.headerName)
        throw invalid(
          'session.headerName',
          route.headerName,
          `is required: function ${functionName} has no affinityHeaderFieldName`,
        );
      return { [route.headerName.toLowerCase()]: id };
    case 'GENERATED_COOKIE':
      return { cookie: cookie ? `${cookie}; ${SESSION_COOKIE}=${id}` : `${SESSION_COOKIE}=${id}` };
    case 'MCP_SSE':
    case 'MCP_STREAMABLE':
      return { [MCP_SESSION_HEADER]: id };
    default:
      throw invalid(
        'session',
        id,
        `cannot be routed: function ${functionName} has sessionAffinity ${route.affinity}; use HEADER_FIELD, GENERATED_COOKIE or an MCP affinity`,
      );
  }
}

/** The session id FC put in its answer: `Set-Cookie`, the affinity header, or `Mcp-Session-Id`. */
export function returnedSessionId(response: IncomingMessage, route: ResolvedRoute | undefined): string | undefined {
  for (const cookie of response.headers['set-cookie'] ?? []) {
    const match = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`).exec(cookie);
    if (match) return match[1];
  }
  if (route?.headerName) {
    const value = header(response, route.headerName.toLowerCase());
    if (value) return value;
  }
  return header(response, MCP_SESSION_HEADER);
}

export interface InvokeMeta {
  /** 200 for a sync call (also when the function failed: see `errorType`), 202 for async. */
  status: number;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  requestId: string | undefined;
  instanceId: string | undefined;
  codeChecksum: string | undefined;
  /** The version or alias that served the call (`x-fc-invocation-service-version`). */
  qualifier: string | undefined;
  /** `UnhandledInvocationError`, `HandledInvocationError`, `InitializationError` when the function failed. */
  errorType: string | undefined;
  /** The decoded `x-fc-log-result` (the last 4 KB of the request's log) when `logType` was Tail. */
  logs: string | undefined;
  asyncTaskId: string | undefined;
  /** The session the call went to: the caller's id, or the one FC made and returned. */
  sessionId: string | undefined;
}

export interface InvokeResult extends InvokeMeta {
  body: Uint8Array;
  text(): string;
  /** Parses the body as JSON; throws a SyntaxError naming the request id when it is not JSON. */
  json<T = unknown>(): T;
}

export interface InvokeStreamResult extends InvokeMeta {
  /** The response body, not buffered: read it (or destroy it) to free the connection. */
  body: Readable;
}

export interface Fc2InvokeMeta extends InvokeMeta {
  maxMemoryUsageMb: number | undefined;
  invocationDurationMs: number | undefined;
}

export interface Fc2InvokeResult extends Fc2InvokeMeta {
  body: Uint8Array;
  text(): string;
  json<T = unknown>(): T;
}

function decodeLogs(value: string | undefined): string | undefined {
  return value ? Buffer.from(value, 'base64').toString('utf8') : undefined;
}

function numberHeader(response: IncomingMessage, name: string): number | undefined {
  const value = Number.parseFloat(header(response, name) ?? '');
  return Number.isFinite(value) ? value : undefined;
}

export function invokeMeta(
  response: IncomingMessage,
  sessionId: string | undefined,
  route: ResolvedRoute | undefined,
): InvokeMeta {
  return {
    status: response.statusCode ?? 0,
    headers: response.headers,
    requestId: header(response, 'x-fc-request-id'),
    instanceId: header(response, 'x-fc-instance-id'),
    codeChecksum: header(response, 'x-fc-code-checksum'),
    qualifier: header(response, 'x-fc-invocation-service-version'),
    errorType: header(response, 'x-fc-error-type'),
    logs: decodeLogs(header(response, 'x-fc-log-result')),
    asyncTaskId: header(response, 'x-fc-async-task-id') ?? header(response, 'x-fc-stateful-async-invocation-id'),
    sessionId: sessionId ?? returnedSessionId(response, route),
  };
}

export function fc2Meta(response: IncomingMessage): Fc2InvokeMeta {
  return Object.assign(invokeMeta(response, undefined, undefined), {
    maxMemoryUsageMb: numberHeader(response, 'x-fc-max-memory-usage'),
    invocationDurationMs: numberHeader(response, 'x-fc-invocation-duration'),
  });
}

/** Adds the body and its readers to `meta`, a record made for this one answer. */
export function withBody<M extends InvokeMeta>(
  meta: M,
  body: Uint8Array,
): M & { body: Uint8Array; text(): string; json<T = unknown>(): T } {
  const text = () => Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return Object.assign(meta, {
    body,
    text,
    json<T>() {
      try {
        return JSON.parse(text()) as T;
      } catch (error) {
        throw new SyntaxError(
          `The response of request ${meta.requestId ?? '(no id)'} is not JSON: ${(error as Error).message}`,
        );
      }
    },
  });
}
