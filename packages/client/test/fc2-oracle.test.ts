import { seededRandom } from '@fc-sessions/internals/seeded-random';
import { createRequire } from 'node:module';
import { stringify } from 'node:querystring';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Credentials, signFc2Request, verifyFc2Request } from '../src/signing/index.js';
import { ACCOUNT_ID, sendJson, signable, startServer, type TestServer } from './support/server.js';

interface Fc2Sdk {
  get(path: string, query?: Record<string, string | string[]>, headers?: Record<string, string>): Promise<unknown>;
  request(
    method: string,
    path: string,
    query: Record<string, string | string[]> | null,
    body?: string,
    headers?: Record<string, string>,
  ): Promise<unknown>;
  invokeFunction(
    service: string,
    fn: string,
    event: string,
    headers?: Record<string, string>,
    qualifier?: string,
  ): Promise<unknown>;
}
interface Fc2SdkClass {
  new (accountId: string, config: Record<string, unknown>): Fc2Sdk;
  getSignature(
    accessKeyId: string,
    accessKeySecret: string,
    method: string,
    path: string,
    headers: Record<string, string>,
    queries: Record<string, string | string[]> | null,
  ): string;
}
const Fc2 = createRequire(import.meta.url)('@alicloud/fc2') as Fc2SdkClass;

// The SDK sends a security token only for key ids that start with `STS`.
const KEY: Credentials = { accessKeyId: 'fc2AccessKeyId0001', accessKeySecret: 'fc2AccessKeySecretNeverShown0001' };
const STS: Credentials = {
  accessKeyId: 'STS.fc2AccessKeyId0001',
  accessKeySecret: 'fc2StsSecretNeverShown0001',
  securityToken: 'fc2SecurityTokenNeverShown0001',
};
const secrets = new Map([KEY, STS].map((c) => [c.accessKeyId, c.accessKeySecret]));
const lookup = (id: string) => secrets.get(id);

interface Shape {
  method: string;
  /** The path after `/2016-08-15`, unencoded, as the SDK takes it. */
  path: string;
  query: Record<string, string | string[]> | undefined;
  body: string | undefined;
  headers: Record<string, string>;
  credentials: Credentials;
}

function randomShape(random: () => number): Shape {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const word = () => pick(['a', 'b-1', 'x_y', 'name with space', 'plus+sign', 'eq=', 'slash/', 'ünï', '*', '']);
  const service = pick(['svc', 'svc.LATEST', 'svc.prod', 'svc.3']);
  const path = pick([
    `/services/${service}/functions/fn/invocations`,
    `/services/${service}`,
    '/services',
    `/proxy/${service}/fn/`,
    `/proxy/${service}/fn/${pick(['a', 'a b', 'deep/er/path', 'ünï'])}`,
  ]);
  let query: Record<string, string | string[]> | undefined;
  if (random() < 0.6) {
    query = {};
    const pairs = 1 + Math.floor(random() * 3);
    for (let i = 0; i < pairs; i++) {
      query[pick(['limit', 'nextToken', 'q', 'k k', 'z'])] = random() < 0.2 ? [word(), word()] : word();
    }
  }
  const headers: Record<string, string> = { 'x-fc-account-id': ACCOUNT_ID, host: 'example.invalid' };
  if (random() < 0.5) headers['x-fc-invocation-type'] = pick(['Sync', 'Async']);
  if (random() < 0.5) headers['x-fc-log-type'] = pick(['None', 'Tail']);
  if (random() < 0.3) headers['x-fc-stateful-async-invocation-id'] = 'task_1';
  if (random() < 0.3) headers['x-other'] = 'unsigned';
  const body = random() < 0.5 ? JSON.stringify({ n: random() }) : undefined;
  if (body !== undefined) headers['content-type'] = pick(['application/json', 'application/octet-stream']);
  return {
    method: pick(['GET', 'POST', 'PUT', 'DELETE', 'HEAD']),
    path,
    query,
    body,
    headers,
    credentials: random() < 0.3 ? STS : KEY,
  };
}

const urlOf = (shape: Shape): string => {
  const query = shape.query && Object.keys(shape.query).length > 0 ? `?${stringify(shape.query)}` : '';
  return `${encodeURI(`/2016-08-15${shape.path}`)}${query}`;
};

describe("FC 2.0 signature against @alicloud/fc2's own signer", () => {
  it('signs 500 random requests of every shape exactly as the SDK does, and verifies what the SDK signs', () => {
    const random = seededRandom(20_161_815);
    const date = new Date('2026-01-02T03:04:05Z');
    for (let i = 0; i < 500; i++) {
      const shape = randomShape(random);
      const url = urlOf(shape);
      const request = { method: shape.method, url, headers: shape.headers, body: shape.body };

      const added = signFc2Request(request, shape.credentials, { date });
      const { authorization, ...signedHeaders } = added;
      const headers = { ...shape.headers, ...signedHeaders };
      const queries = shape.path.startsWith('/proxy/') ? (shape.query ?? {}) : null;
      const theirs = Fc2.getSignature(
        shape.credentials.accessKeyId,
        shape.credentials.accessKeySecret,
        shape.method,
        `/2016-08-15${shape.path}`,
        headers,
        queries === null ? null : structuredClone(queries),
      );

      expect(authorization, `shape ${i}: ${shape.method} ${url}`).toBe(theirs);
      expect(
        verifyFc2Request({ ...request, headers: { ...headers, authorization: theirs } }, lookup, { now: date }),
      ).toMatchObject({ ok: true, accessKeyId: shape.credentials.accessKeyId });
    }
  });
});

/** A fresh connection per call: httpx (under @alicloud/fc2) fails at once, as a "ReadTimeout", when it reuses a kept-alive socket. */
const CLOSE = { connection: 'close' };

describe('FC 2.0 requests the SDK really sends', () => {
  let server: TestServer;
  const sdks = new Map<string, Fc2Sdk>();

  beforeAll(async () => {
    server = await startServer((_request, response) => sendJson(response, 200, {}));
    for (const credentials of [KEY, STS]) {
      sdks.set(
        credentials.accessKeyId,
        new Fc2(ACCOUNT_ID, {
          accessKeyID: credentials.accessKeyId,
          accessKeySecret: credentials.accessKeySecret,
          securityToken: credentials.securityToken,
          region: 'cn-hangzhou',
          endpoint: server.url,
          timeout: 5000,
        }),
      );
    }
  });
  afterAll(() => server.close());

  const calls: Array<[string, (sdk: Fc2Sdk) => Promise<unknown>]> = [
    [
      'an invocation',
      (sdk) => sdk.invokeFunction('svc', 'fn', '{"a":1}', { ...CLOSE, 'x-fc-invocation-type': 'Async' }, 'prod'),
    ],
    ['an API path with a query', (sdk) => sdk.get('/services', { limit: '2', nextToken: 'a b+c' }, CLOSE)],
    [
      'an HTTP-trigger path without a query',
      (sdk) => sdk.request('GET', '/proxy/svc.LATEST/fn/page', null, undefined, CLOSE),
    ],
    [
      'an HTTP-trigger path with a query',
      (sdk) => sdk.request('POST', '/proxy/svc/fn/', { q: 'x y', k: ['1', '2'] }, 'hi', CLOSE),
    ],
  ];
  for (const [name, call] of calls) {
    for (const credentials of [KEY, STS]) {
      it(`verifies ${name} (${credentials.securityToken ? 'STS' : 'access key'})`, async () => {
        // Act
        await call(sdks.get(credentials.accessKeyId)!);

        // Assess
        const request = server.requests.at(-1)!;
        expect(verifyFc2Request(signable(request), lookup)).toEqual({
          ok: true,
          accessKeyId: credentials.accessKeyId,
          ...(credentials.securityToken ? { securityToken: credentials.securityToken } : {}),
        });
      });
    }
  }
});
