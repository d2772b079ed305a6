import type { Agent as HttpAgent, IncomingMessage } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { nodeHttp, nodeHttps } from './builtins.js';
import { FcError, networkError } from './errors.js';

export interface WireRequest {
  origin: URL;
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

  agent(origin: URL): HttpAgent {
    if (origin.protocol === 'https:') {
      this.#https ??= new (nodeHttps().Agent)({ keepAlive: true, scheduling: 'lifo' });
      return this.#https;
    }
    this.#http ??= new (nodeHttp().Agent)({ keepAlive: true, scheduling: 'lifo' });
    return this.#http;
  }

  close(): void {
    this.#http?.destroy();
    this.#https?.destroy();
  }
}

/**
 * Sends one request and resolves when the response headers arrive. The timeout covers the whole
 * exchange until the caller has read the body (`readBody`) or released the stream.
 */
export function send(pools: Pools, req: WireRequest): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (req.signal?.aborted) {
      reject(
        new FcError({
          code: 'Aborted',
          message: `${target(req)} was aborted before it was sent`,
          cause: req.signal.reason,
        }),
      );
      return;
    }
    const options = {
      protocol: req.origin.protocol,
      hostname: req.origin.hostname,
      port: req.origin.port,
      method: req.method,
      path: req.path,
      headers: flatHeaders(req.headers, req.body),
      agent: pools.agent(req.origin),
    };
    const outgoing = req.origin.protocol === 'https:' ? nodeHttps().request(options) : nodeHttp().request(options);
    let failure: FcError | undefined;
    const fail = (error: FcError) => {
      failure ??= error;
      outgoing.destroy(failure);
    };
    const timer = setTimeout(
      () =>
        fail(
          new FcError({
            code: 'RequestTimeout',
            message: `${target(req)} took longer than ${req.timeoutMs} ms`,
            retryable: true,
            outcomeUnknown: true,
          }),
        ),
      req.timeoutMs,
    );
    const onAbort = () =>
      fail(
        new FcError({
          code: 'Aborted',
          message: `${target(req)} was aborted`,
          outcomeUnknown: true,
          cause: req.signal?.reason,
        }),
      );
    const { signal } = req;
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    outgoing.on('error', (error) => {
      done();
      reject(failure ?? networkError(error, target(req)));
    });
    outgoing.on('response', (response) => {
      response.on('end', done);
      response.on('close', done);
      response.on('error', (error) => {
        done();
        response.emit('fc-error', failure ?? networkError(error, target(req)));
      });
      resolve(response);
    });
    outgoing.end(req.body);
  });
}

/** `METHOD origin/path` for messages, made only when one is needed. */
function target(req: WireRequest): string {
  const mark = req.path.indexOf('?');
  return `${req.method} ${req.origin.origin}${mark < 0 ? req.path : req.path.slice(0, mark)}`;
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
