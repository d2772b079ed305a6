import { headerSet, text } from './headers.js';
import { type ControlKind, defaultEnv, type Env, FIELDS, type Invocation, toInvocation } from './invocation.js';
import { type FcRequest, type RequestOptions, runWithRequest } from './request.js';
import { sessionFromHeaders } from './session.js';

/** The parts of the built-in runtime's `context` the helper reads; any of them may be missing. */
export interface BuiltInContext {
  readonly requestId?: string;
  readonly credentials?: {
    readonly accessKeyId?: string;
    readonly accessKeySecret?: string;
    readonly securityToken?: string;
  };
  readonly function?: {
    readonly name?: string;
    readonly handler?: string;
    readonly memory?: number;
    readonly timeout?: number;
  };
  readonly service?: {
    readonly logProject?: string;
    readonly logStore?: string;
    readonly qualifier?: string;
    readonly versionId?: string;
  };
  readonly region?: string;
  readonly accountId?: string;
  readonly tracing?: {
    readonly openTracingSpanContext?: string;
    readonly openTracingSpanBaggages?: unknown;
    readonly jaegerEndpoint?: string;
  };
}

function at(value: unknown, ...path: string[]): unknown {
  let here = value;
  for (const key of path) {
    if (typeof here !== 'object' || here === null) return undefined;
    here = (here as Record<string, unknown>)[key];
  }
  return here;
}

const HTTP_EVENT_MARK = '"requestContext"';

/** An HTTP-trigger v1 event, given as the parsed object or as the Buffer or string of its JSON. */
function parseHttpTriggerEvent(event: unknown): object | undefined {
  let parsed = event;
  if (typeof event === 'string' || event instanceof Uint8Array) {
    const json = typeof event === 'string' ? event : Buffer.from(event.buffer, event.byteOffset, event.byteLength);
    if (!json.includes(HTTP_EVENT_MARK)) return undefined;
    try {
      parsed = JSON.parse(json.toString());
    } catch {
      return undefined;
    }
  }
  const headers = at(parsed, 'headers');
  const isHttp = typeof at(parsed, 'requestContext') === 'object' && typeof headers === 'object' && headers !== null;
  return isHttp ? (parsed as object) : undefined;
}

const CONTEXT_READS = Object.entries(FIELDS).flatMap(([key, field]) =>
  'context' in field ? [{ key, path: field.context, isText: field.parse === 'text' }] : [],
);

function invocationFromContext(context: unknown, kind: ControlKind, env: Env, fallbackRequestId?: unknown): Invocation {
  const raw: Record<string, unknown> = {};
  for (const { key, path, isText } of CONTEXT_READS) {
    const value = at(context, ...path);
    raw[key] = isText ? text(value) : value;
  }
  raw['requestId'] ??= text(fallbackRequestId);
  raw['kind'] = kind;
  return toInvocation(raw, env);
}

/**
 * Reads a built-in-runtime call: the invocation from `context` (and the environment), the session
 * from the headers of an HTTP-trigger event. Other events carry no headers, so no session. Never throws.
 */
export function readEventRequest(event: unknown, context: unknown, options: RequestOptions = {}): FcRequest {
  const http = parseHttpTriggerEvent(event);
  return {
    invocation: invocationFromContext(
      context,
      http ? 'http' : 'invoke',
      options.env ?? defaultEnv(),
      at(http, 'requestContext', 'requestId'),
    ),
    session: http ? sessionFromHeaders(headerSet(at(http, 'headers')), options) : undefined,
  };
}

/** FC may tell callback-style handlers from async ones by their arity, so a wrapper keeps it. */
function withArity<F>(wrapper: F, original: { readonly length: number }): F {
  Object.defineProperty(wrapper, 'length', { value: original.length });
  return wrapper;
}

/**
 * Wraps a built-in-runtime handler `(event, context[, callback])` so that everything it calls can
 * use `currentRequest()`, the logger and session state. Arguments and result pass through.
 */
export function wrapHandler<E, C, A extends unknown[], R>(
  handler: (event: E, context: C, ...rest: A) => R,
  options: RequestOptions = {},
): (event: E, context: C, ...rest: A) => R {
  const wrapped = (event: E, context: C, ...rest: A): R =>
    runWithRequest(readEventRequest(event, context, options), () => handler(event, context, ...rest));
  return withArity(wrapped, handler);
}

/** Wraps a built-in-runtime initializer `(context[, callback])`; its invocation's kind is `initialize`. */
export function wrapInitializer<C, A extends unknown[], R>(
  initializer: (context: C, ...rest: A) => R,
  options: RequestOptions = {},
): (context: C, ...rest: A) => R {
  const wrapped = (context: C, ...rest: A): R => {
    const invocation = invocationFromContext(context, 'initialize', options.env ?? defaultEnv());
    return runWithRequest({ invocation, session: undefined }, () => initializer(context, ...rest));
  };
  return withArity(wrapped, initializer);
}
