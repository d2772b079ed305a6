import type { ClientRequest, Agent as HttpAgent, IncomingMessage, RequestOptions } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { nodeHttp, nodeHttps } from '@fc-sessions/internals/builtins';
import { Deadline, now, unwatch, watch } from './deadlines.js';
import { FcError, networkError } from './errors.js';

// An endpoint with what node:http needs for it, worked out once. `origin` is for messages, `host` the header.
export interface Target {
  readonly origin: string;
  readonly host: string;
  readonly hostname: string;
  readonly port: string;
  readonly agent: HttpAgent;
  readonly request: (options: RequestOptions) => ClientRequest;
}

export interface WireRequest {
  target: Target;
  method: string;
  /** Path and query exactly as signed. */
  path: string;
  headers: Record<string, string>;
  /** A string goes out in the same write as the headers. */
  body?: Uint8Array | string | undefined;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** Keep-alive connection pools, one per protocol, created on first use. */
export class Pools {
  #http?: HttpAgent;
  #https?: HttpsAgent;

  target(origin: URL): Target {
    const https = origin.protocol === 'https:';
    if (https) this.#https ??= new (nodeHttps().Agent)({ keepAlive: true, scheduling: 'lifo' });
    else this.#http ??= new (nodeHttp().Agent)({ keepAlive: true, scheduling: 'lifo' });
    return {
      origin: origin.origin,
      host: origin.host,
      hostname: origin.hostname,
      port: origin.port,
      agent: (https ? this.#https : this.#http) as HttpAgent,
      request: https ? nodeHttps().request : nodeHttp().request,
    };
  }

  close(): void {
    this.#http?.destroy();
    this.#https?.destroy();
  }
}

/**
 * One request in flight: its time limit (`deadlines.ts`), its AbortSignal, and the first failure,
 * which is what the caller sees whatever node:http reports after it.
 */
class Exchange extends Deadline {
  readonly deadline: number;
  failure: FcError | undefined;
  readonly outgoing: ClientRequest;
  readonly #onAbort: (() => void) | undefined;

  constructor(readonly req: WireRequest) {
    super();
    const { target } = req;
    this.outgoing = target.request({
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: req.path,
      headers: flatHeaders(req.headers, req.body),
      agent: target.agent,
    });
    this.deadline = now() + req.timeoutMs;
    watch(this);
    if (req.signal) {
      this.#onAbort = () =>
        this.fail(
          new FcError({
            code: 'Aborted',
            message: `${describe(req)} was aborted`,
            outcomeUnknown: true,
            cause: req.signal?.reason,
          }),
        );
      req.signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  expire(): void {
    this.fail(
      new FcError({
        code: 'RequestTimeout',
        message: `${describe(this.req)} took longer than ${this.req.timeoutMs} ms`,
        retryable: true,
        outcomeUnknown: true,
      }),
    );
  }

  fail(error: FcError): void {
    this.failure ??= error;
    this.outgoing.destroy(this.failure);
  }

  /** The exchange is over: no time limit, no abort listener. */
  done(): void {
    unwatch(this);
    if (this.#onAbort) this.req.signal?.removeEventListener('abort', this.#onAbort);
  }

  /** What the caller is told about `error` from node:http. */
  error(error: Error): FcError {
    this.done();
    return this.failure ?? networkError(error, describe(this.req));
  }
}

function aborted(req: WireRequest): FcError {
  return new FcError({
    code: 'Aborted',
    message: `${describe(req)} was aborted before it was sent`,
    cause: req.signal?.reason,
  });
}

/**
 * Sends one request and resolves when the response headers arrive. The time limit covers the
 * whole exchange until the caller has read the body (`readBody`) or released the stream.
 */
export function send(req: WireRequest): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (req.signal?.aborted) return reject(aborted(req));
    const exchange = new Exchange(req);
    const done = () => exchange.done();
    exchange.outgoing.on('error', (error) => reject(exchange.error(error)));
    exchange.outgoing.on('response', (response) => {
      response.on('end', done);
      response.on('close', done);
      response.on('error', (error) => response.emit('fc-error', exchange.error(error)));
      resolve(response);
    });
    exchange.outgoing.end(req.body);
  });
}

export interface Answer {
  response: IncomingMessage;
  body: Buffer;
}

/** Sends one request and resolves with the response and its whole body, under one time limit. */
export function exchange(req: WireRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    if (req.signal?.aborted) return reject(aborted(req));
    const exchange = new Exchange(req);
    const fail = (error: Error) => reject(exchange.error(error));
    exchange.outgoing.on('error', fail);
    exchange.outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        exchange.done();
        resolve({ response, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) });
      });
      response.on('error', fail);
    });
    exchange.outgoing.end(req.body);
  });
}

/** `METHOD origin/path` for messages, made only when one is needed. */
function describe(req: WireRequest): string {
  const mark = req.path.indexOf('?');
  return `${req.method} ${req.target.origin}${mark < 0 ? req.path : req.path.slice(0, mark)}`;
}

/** node:http takes a flat `[name, value, ...]` list without re-validating each header through setHeader. */
function flatHeaders(headers: Record<string, string>, body: Uint8Array | string | undefined): string[] {
  const flat: string[] = [];
  for (const name in headers) flat.push(name, headers[name]!);
  if (body !== undefined)
    flat.push('content-length', String(typeof body === 'string' ? Buffer.byteLength(body) : body.length));
  return flat;
}

export function readBody(response: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    response.on('fc-error', reject);
  });
}

export function header(response: IncomingMessage, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
