import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { FcClient, type FcClientOptions } from '../../src/index.js';
import { createNonceCache, verifyFc2Request, verifyRequest } from '../../src/signing/index.js';

/** One request as the server saw it. */
export interface Recorded {
  method: string;
  /** Path and query exactly as sent. */
  url: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type Handler = (request: Recorded, response: ServerResponse, raw: IncomingMessage) => void | Promise<void>;

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: Recorded[];
  /** Resolves with the first request, already recorded or still to come, for which `predicate` holds. */
  received(predicate?: (request: Recorded) => boolean): Promise<Recorded>;
  close(): Promise<void>;
}

export const CREDENTIALS = { accessKeyId: 'testAccessKeyId0001', accessKeySecret: 'testAccessKeySecretNeverShown0001' };
export const STS_CREDENTIALS = { ...CREDENTIALS, securityToken: 'testSecurityTokenNeverShown0001' };
export const ACCOUNT_ID = '1234567890123456';

export const secretOf = (id: string): string | undefined =>
  id === CREDENTIALS.accessKeyId ? CREDENTIALS.accessKeySecret : undefined;

/** Starts a server on 127.0.0.1, any free port, that records every request before `handler` answers it. */
export function startServer(
  handler: Handler = (_request, response) => sendJson(response, 200, {}),
): Promise<TestServer> {
  const requests: Recorded[] = [];
  const waiters: Array<{ predicate: (request: Recorded) => boolean; resolve: (request: Recorded) => void }> = [];
  const server = createServer((raw, response) => {
    const chunks: Buffer[] = [];
    raw.on('data', (chunk: Buffer) => chunks.push(chunk));
    raw.on('end', () => {
      const url = raw.url ?? '/';
      const parsed = new URL(url, 'http://127.0.0.1');
      const recorded: Recorded = {
        method: raw.method ?? '',
        url,
        path: parsed.pathname,
        query: Object.fromEntries(parsed.searchParams),
        headers: raw.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(recorded);
      for (const waiter of waiters.filter((w) => w.predicate(recorded))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(recorded);
      }
      Promise.resolve(handler(recorded, response, raw)).catch((error: unknown) => {
        if (!response.headersSent) sendJson(response, 500, { Code: 'TestServerError', Message: String(error) });
      });
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        received: (predicate = () => true) => {
          const found = requests.find(predicate);
          return found ? Promise.resolve(found) : new Promise((done) => waiters.push({ predicate, resolve: done }));
        },
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'x-fc-request-id': REQUEST_ID, ...headers });
  response.end(text);
}

/** Closes the connection without an answer, as a lost response looks to the client. */
export function drop(raw: IncomingMessage): void {
  raw.socket.destroy();
}

export const REQUEST_ID = '1-6745e79f-1a2b3c4d-5e6f7a8b9c0d';

/**
 * Servers and clients for the tests of one file: `start(handler, options)` starts a server and a
 * client for it (`defaults`, then `options`); whatever a test started is closed after it.
 */
export function useTestServers(defaults: FcClientOptions = {}) {
  const open: { server: TestServer; client: FcClient }[] = [];
  afterEach(async () => {
    for (const { server, client } of open.splice(0)) {
      client.close();
      await server.close();
    }
  });
  return {
    async start(handler?: Handler, options: FcClientOptions = {}) {
      const server = await startServer(handler);
      const client = clientFor(server, { ...defaults, ...options });
      open.push({ server, client });
      return { server, client };
    },
  };
}

/** A client pointed at `server`, with fixed keys, region and account and no environment or home lookups. */
export function clientFor(server: TestServer, options: FcClientOptions = {}): FcClient {
  return new FcClient({
    endpoint: server.url,
    region: 'cn-hangzhou',
    accountId: ACCOUNT_ID,
    credentials: CREDENTIALS,
    env: {},
    retry: false,
    ...options,
  });
}

export const signable = (request: Recorded) => ({
  method: request.method,
  url: request.url,
  headers: request.headers,
  body: request.body,
});

/** A verifier that, like FC, refuses a nonce it has seen. */
export function acsVerifier(lookup: (id: string) => string | undefined = secretOf) {
  const acceptNonce = createNonceCache();
  return (request: Recorded) => verifyRequest(signable(request), lookup, { acceptNonce });
}

export const verifyFc2 = (request: Recorded, lookup: (id: string) => string | undefined = secretOf) =>
  verifyFc2Request(signable(request), lookup);
