import { AsyncLocalStorage } from 'node:async_hooks';
import { type HeaderSource, headerSet } from './headers.js';
import { defaultEnv, type Invocation, invocationFromHeaders, type ReadOptions } from './invocation.js';
import { type Session, type SessionOptions, sessionFromHeaders } from './session.js';

/** What the helper knows about the request being served. */
export interface FcRequest {
  readonly invocation: Invocation;
  readonly session: Session | undefined;
}

export interface RequestOptions extends ReadOptions, SessionOptions {}

/** Reads both the invocation and the session from one set of headers. Never throws. */
export function readRequest(source: HeaderSource, options: RequestOptions = {}): FcRequest {
  const headers = headerSet(source);
  return {
    invocation: invocationFromHeaders(headers, options.env ?? defaultEnv()),
    session: sessionFromHeaders(headers, options),
  };
}

// One store per process, even when both the ESM and the CommonJS build of this package are loaded.
const STORE = Symbol.for('@fc-sessions/runtime.request');
const holder = globalThis as { [STORE]?: AsyncLocalStorage<FcRequest> };
holder[STORE] ??= new AsyncLocalStorage<FcRequest>();
const requests = holder[STORE];

/** Runs `fn` with `request` as the current request of everything it calls, sync or async. */
export function runWithRequest<T>(request: FcRequest, fn: () => T): T {
  return requests.run(request, fn);
}

/** The request being served by the calling code, or `undefined` outside one. */
export function currentRequest(): FcRequest | undefined {
  return requests.getStore();
}

export function currentInvocation(): Invocation | undefined {
  return requests.getStore()?.invocation;
}

export function currentSession(): Session | undefined {
  return requests.getStore()?.session;
}
