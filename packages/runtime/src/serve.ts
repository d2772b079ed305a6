import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bindEvents } from './bind-events.js';
import { sendFetchResponse, toFetchRequest } from './fetch-bridge.js';
import { headerSet } from './headers.js';
import { type ControlKind, defaultEnv, invocationFromHeaders } from './invocation.js';
import { logger } from './logger.js';
import { type FcRequest, type RequestOptions, readRequest, runWithRequest } from './request.js';

/** The environment variable that overrides the default listen host (`0.0.0.0`), e.g. `127.0.0.1` on a developer's machine. */
export const LISTEN_HOST_ENV = 'FCS_LISTEN_HOST';
/** FC's custom-runtime port variable. */
export const LISTEN_PORT_ENV = 'FC_CUSTOM_LISTEN_PORT';
/**
 * Set by the fc-sessions emulator: requests must carry it in `x-fcs-instance-secret`, so only the
 * emulator reaches the server (absent on FC, where nothing is checked).
 */
const INSTANCE_SECRET_ENV = 'FCS_INSTANCE_SECRET';
const INSTANCE_SECRET_HEADER = 'x-fcs-instance-secret';

export interface ServeOptions extends RequestOptions {
  /**
   * Event invocations (`POST /invoke`) with the body as a Buffer. The result is the response:
   * bytes and strings as they are, `undefined` as an empty body, anything else as JSON.
   */
  readonly invoke?: (event: Buffer, request: FcRequest) => unknown;
  /** The initializer (`POST /initialize`), once per instance. */
  readonly initialize?: (request: FcRequest) => unknown;
  /** The PreStop hook (`GET /pre-stop`). */
  readonly preStop?: (request: FcRequest) => unknown;
  /** Web traffic for a Node request listener (Express app, Koa's `app.callback()`, ...). */
  readonly http?: (req: IncomingMessage, res: ServerResponse) => unknown;
  /** Web traffic for a fetch handler (Hono's `app.fetch`, ...). */
  readonly fetch?: (request: Request) => Response | Promise<Response>;
  /** Default `$FC_CUSTOM_LISTEN_PORT`, else 9000; 0 takes any free port. */
  readonly port?: number;
  /** Default `$FCS_LISTEN_HOST`, else `0.0.0.0` (FC reaches the server from outside the instance). */
  readonly host?: string;
  /** On SIGTERM or SIGINT: stop taking requests, finish those running, then let the signal end the process. Default true. */
  readonly handleSignals?: boolean;
  /** Where the `FC Invoke Start/End RequestId:` markers go; default stdout. */
  readonly log?: (line: string) => void;
}

export interface FcServer {
  readonly server: Server;
  readonly host: string;
  readonly port: number;
  /** `http://<host>:<port>`; the any-address shows as 127.0.0.1. */
  readonly url: string;
  /** Stops taking requests and resolves once the running ones have finished. */
  close(): Promise<void>;
}

interface ErrorBody {
  readonly errorMessage: string;
  readonly errorType: string;
  readonly stackTrace: readonly string[];
}

const PATH_ROUTES: Readonly<Record<string, ControlKind>> = {
  'POST /invoke': 'invoke',
  'POST /initialize': 'initialize',
  'GET /pre-stop': 'pre-stop',
};

const MARKERS: Readonly<Record<ControlKind, string>> = {
  invoke: 'Invoke',
  http: 'Invoke',
  initialize: 'Initialize',
  'pre-stop': 'PreStop',
};

function errorBody(error: unknown): ErrorBody {
  const err = error instanceof Error ? error : new Error(String(error));
  const stack = (err.stack ?? '').split('\n').slice(1);
  return { errorMessage: err.message, errorType: err.name, stackTrace: stack.map((line) => line.trim()) };
}

/** Sends a handler's result; `fcStatus` is FC's verdict (`x-fc-status`: 200 success, 404 failure). */
function reply(res: ServerResponse, status: number, fcStatus: number, result: unknown): void {
  let body: string | Uint8Array = '';
  let type: string | undefined;
  if (result instanceof Uint8Array || result instanceof ArrayBuffer) {
    body = result instanceof ArrayBuffer ? new Uint8Array(result) : result;
    type = 'application/octet-stream';
  } else if (typeof result === 'string') {
    body = result;
    type = 'text/plain; charset=utf-8';
  } else if (result !== undefined && result !== null) {
    body = JSON.stringify(result);
    type = 'application/json';
  }
  const headers: Record<string, string | number> = {
    'x-fc-status': fcStatus,
    'content-length': Buffer.byteLength(body),
  };
  if (type !== undefined) headers['content-type'] = type;
  res.writeHead(status, headers);
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function responseClosed(res: ServerResponse): Promise<void> {
  if (res.writableFinished || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => res.once('close', () => resolve()));
}

function resolvePort(options: ServeOptions, env: Readonly<Record<string, string | undefined>>): number {
  const fromEnv = env[LISTEN_PORT_ENV];
  const [source, given] =
    options.port !== undefined ? ['port', options.port] : fromEnv ? [LISTEN_PORT_ENV, fromEnv] : ['port', 9000];
  const port = typeof given === 'string' && /^\d+$/.test(given) ? Number(given) : given;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`serve: ${source} must be an integer from 0 to 65535 (got ${JSON.stringify(given)})`);
  }
  return port;
}

function checkHandlers(options: ServeOptions): void {
  for (const name of ['invoke', 'initialize', 'preStop', 'http', 'fetch'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new TypeError(`serve: ${name} must be a function (got ${typeof options[name]})`);
    }
  }
  if (options.http && options.fetch) throw new TypeError('serve: give either http or fetch for web traffic, not both');
  if (!options.invoke && !options.http && !options.fetch) {
    throw new TypeError('serve: give at least one handler: invoke, http or fetch');
  }
}

/** Checks the emulator's instance secret, then removes it so that handlers never see it. */
function fromEmulator(req: IncomingMessage, secret: string): boolean {
  const sent = Buffer.from(String(req.headers[INSTANCE_SECRET_HEADER] ?? ''));
  const expected = Buffer.from(secret);
  if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) return false;
  delete req.headers[INSTANCE_SECRET_HEADER];
  for (let i = req.rawHeaders.length - 2; i >= 0; i -= 2) {
    if (req.rawHeaders[i]!.toLowerCase() === INSTANCE_SECRET_HEADER) req.rawHeaders.splice(i, 2);
  }
  return true;
}

function displayUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

/**
 * A custom-runtime server that speaks FC's protocol: `POST /invoke` events, `POST /initialize`,
 * `GET /pre-stop`, and web traffic for `http` or `fetch` (routed by `x-fc-control-path`, else by
 * path). Each request runs as the current request; failures answer with `x-fc-status: 404` and
 * FC's error body. Rejects with a clear error for bad options or when it cannot listen.
 */
export async function serve(options: ServeOptions): Promise<FcServer> {
  checkHandlers(options);
  const env = options.env ?? defaultEnv();
  const port = resolvePort(options, env);
  const host = options.host ?? (env[LISTEN_HOST_ENV] || '0.0.0.0');
  const secret = env[INSTANCE_SECRET_ENV] || undefined;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const running = new Set<ServerResponse>();
  let closing: Promise<void> | undefined;

  async function web(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (options.fetch) {
      const aborted = new AbortController();
      res.once('close', () => {
        if (!res.writableFinished) aborted.abort();
      });
      await sendFetchResponse(await options.fetch(toFetchRequest(req, aborted.signal)), res);
    } else if (options.http) {
      await options.http(req, res);
      await responseClosed(res);
    } else {
      logger.warn('serve: web request without a web handler; give serve() http or fetch');
      reply(res, 404, 404, { errorMessage: 'no web handler', errorType: 'HandlerNotFound', stackTrace: [] });
    }
  }

  async function dispatch(route: ControlKind, req: IncomingMessage, res: ServerResponse, request: FcRequest) {
    if (route === 'http' || (route === 'invoke' && !options.invoke)) return web(req, res);
    if (route === 'invoke') {
      const result = await options.invoke!(await readBody(req), request);
      return reply(res, 200, 200, result);
    }
    req.resume();
    await (route === 'initialize' ? options.initialize : options.preStop)?.(request);
    reply(res, 200, 200, undefined);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (secret !== undefined && !fromEmulator(req, secret)) {
      req.resume();
      const refused = { errorMessage: 'this instance only answers the emulator', errorType: 'AccessDenied' };
      reply(res, 403, 403, { ...refused, stackTrace: [] });
      return;
    }
    running.add(res);
    if (closing) res.setHeader('connection', 'close');
    let request = readRequest(req, options);
    let route = request.invocation.kind;
    if (route === undefined) {
      // No control path from FC: the route comes from the path, and the invocation says so too.
      route = PATH_ROUTES[`${req.method} ${req.url?.split('?')[0]}`] ?? 'http';
      request = { ...request, invocation: invocationFromHeaders(headerSet(req), options.env ?? defaultEnv(), route) };
    }
    const requestId = request.invocation.requestId;
    if (requestId) log(`FC ${MARKERS[route]} Start RequestId: ${requestId}`);
    await runWithRequest(request, async () => {
      bindEvents(req);
      bindEvents(res);
      try {
        await dispatch(route, req, res, request);
      } catch (error) {
        if (res.destroyed) return;
        logger.error(error);
        if (res.headersSent) res.destroy();
        else reply(res, route === 'http' ? 500 : 404, 404, errorBody(error));
      }
    });
    if (requestId) log(`FC ${MARKERS[route]} End RequestId: ${requestId}`);
    running.delete(res);
    if (closing) setImmediate(() => server.closeIdleConnections());
  }

  const server = createServer((req, res) => void handle(req, res));
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(new Error(`serve: cannot listen on ${host}:${port}: ${error.message}`, { cause: error })),
    );
    server.listen(port, host, resolve);
  });
  const bound = (server.address() as AddressInfo).port;

  const onSignal = (signal: NodeJS.Signals) => {
    close()
      .catch(() => undefined)
      .then(() => {
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
  };
  function close(): Promise<void> {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    closing ??= new Promise<void>((resolve, reject) => {
      for (const res of running) if (!res.headersSent) res.setHeader('connection', 'close');
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeIdleConnections();
    });
    return closing;
  }
  if (options.handleSignals !== false) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return { server, host, port: bound, url: displayUrl(host, bound), close };
}
