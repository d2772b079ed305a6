import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type * as Fc from '@alicloud/fc20230330';
import type * as OpenApi from '@alicloud/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FcClient } from '../src/index.js';
import {
  type Credentials,
  canonicalQuery,
  createNonceCache,
  signRequest,
  verifyRequest,
} from '../src/signing/index.js';
import {
  CREDENTIALS,
  clientFor,
  type Recorded,
  STS_CREDENTIALS,
  sendJson,
  signable,
  startServer,
  type TestServer,
} from './support/server.js';

// The official SDK is CommonJS: seen from ESM its `default` is the whole `module.exports`, which is what require returns.
const require = createRequire(import.meta.url);
const fc = require('@alicloud/fc20230330') as (typeof Fc)['default'];
const openapi = require('@alicloud/openapi-core') as (typeof OpenApi)['default'];
type Sdk = InstanceType<typeof fc.default>;
type Runtime = Parameters<Sdk['invokeFunctionWithOptions']>[3];
const dara = createRequire(require.resolve('@alicloud/fc20230330'))('@darabonba/typescript') as {
  RuntimeOptions: new (map: Record<string, unknown>) => Runtime;
};

const FN = 'my-func';
const AFFINITY = '{"affinityHeaderFieldName":"x-session-id","sessionConcurrencyPerInstance":20}';

function sdkFor(server: TestServer, credentials: Credentials): Sdk {
  return new fc.default(
    new openapi.$OpenApiUtil.Config({
      accessKeyId: credentials.accessKeyId,
      accessKeySecret: credentials.accessKeySecret,
      securityToken: credentials.securityToken,
      endpoint: new URL(server.url).host,
      protocol: 'http',
      regionId: 'cn-hangzhou',
    }),
  );
}

/** One logical call made through both clients. */
interface Pair {
  name: string;
  sdk: (sdk: Sdk) => Promise<unknown>;
  ours: (client: FcClient) => Promise<unknown>;
}

const pairs: Pair[] = [
  {
    name: 'CreateSession',
    sdk: (s) =>
      s.createSession(
        FN,
        new fc.CreateSessionRequest({
          qualifier: 'LATEST',
          body: new fc.CreateSessionInput({
            sessionId: 'sess-1',
            sessionTTLInSeconds: 3600,
            sessionIdleTimeoutInSeconds: 600,
          }),
        }),
      ),
    ours: (c) =>
      c.createSession(
        FN,
        { sessionId: 'sess-1', sessionTTLInSeconds: 3600, sessionIdleTimeoutInSeconds: 600 },
        { qualifier: 'LATEST' },
      ),
  },
  {
    name: 'GetSession',
    sdk: (s) => s.getSession(FN, 'sess-1', new fc.GetSessionRequest({ qualifier: 'prod' })),
    ours: (c) => c.getSession(FN, 'sess-1', { qualifier: 'prod' }),
  },
  {
    name: 'ListSessions with escaped query values',
    sdk: (s) =>
      s.listSessions(
        FN,
        new fc.ListSessionsRequest({
          limit: 10,
          nextToken: 'abc+/=',
          qualifier: 'LATEST',
          sessionId: 'sess 1*',
          sessionStatus: 'Active',
        }),
      ),
    // `sess 1*` is no valid session id, so our client sends the same characters in nextToken instead.
    ours: (c) => c.listSessions(FN, { limit: 10, nextToken: 'abc+/=', qualifier: 'LATEST', sessionStatus: 'Active' }),
  },
  {
    name: 'UpdateSession',
    sdk: (s) =>
      s.updateSession(
        FN,
        'sess-1',
        new fc.UpdateSessionRequest({
          body: new fc.UpdateSessionInput({ sessionIdleTimeoutInSeconds: 0, sessionTTLInSeconds: 7200 }),
        }),
      ),
    ours: (c) => c.updateSession(FN, 'sess-1', { sessionIdleTimeoutInSeconds: 0, sessionTTLInSeconds: 7200 }),
  },
  {
    name: 'DeleteSession',
    sdk: (s) => s.deleteSession(FN, 'sess-1', new fc.DeleteSessionRequest({ qualifier: 'LATEST' })),
    ours: (c) => c.deleteSession(FN, 'sess-1', { qualifier: 'LATEST' }),
  },
  {
    name: 'PauseSession',
    sdk: (s) => s.pauseSession(FN, 'sess-1', new fc.PauseSessionRequest({})),
    ours: (c) => c.pauseSession(FN, 'sess-1'),
  },
  {
    name: 'ResumeSession',
    sdk: (s) =>
      s.resumeSession(FN, 'sess-1', new fc.ResumeSessionRequest({ fileSystemOnly: true, qualifier: 'LATEST' })),
    ours: (c) => c.resumeSession(FN, 'sess-1', { fileSystemOnly: true, qualifier: 'LATEST' }),
  },
  {
    name: 'InvokeFunction',
    sdk: (s) =>
      s.invokeFunctionWithOptions(
        FN,
        new fc.InvokeFunctionRequest({ qualifier: 'prod', body: Readable.from([Buffer.from('{"hello":"world"}')]) }),
        new fc.InvokeFunctionHeaders({ xFcInvocationType: 'Async', xFcLogType: 'None', xFcAsyncTaskId: 'task_1' }),
        new dara.RuntimeOptions({}),
      ),
    ours: (c) =>
      c.invoke(FN, { qualifier: 'prod', body: '{"hello":"world"}', invocationType: 'Async', asyncTaskId: 'task_1' }),
  },
  {
    name: 'CreateFunction',
    sdk: (s) =>
      s.createFunction(
        new fc.CreateFunctionRequest({
          body: new fc.CreateFunctionInput({
            environmentVariables: { GREETING: 'hi' },
            functionName: FN,
            handler: 'index.handler',
            runtime: 'nodejs20',
            sessionAffinity: 'HEADER_FIELD',
            sessionAffinityConfig: AFFINITY,
          }),
        }),
      ),
    ours: (c) =>
      c.createFunction({
        environmentVariables: { GREETING: 'hi' },
        functionName: FN,
        handler: 'index.handler',
        runtime: 'nodejs20',
        sessionAffinity: 'HEADER_FIELD',
        sessionAffinityConfig: { affinityHeaderFieldName: 'x-session-id', sessionConcurrencyPerInstance: 20 },
      }),
  },
  {
    name: 'GetFunction',
    sdk: (s) => s.getFunction(FN, new fc.GetFunctionRequest({ qualifier: '3' })),
    ours: (c) => c.getFunction(FN, { qualifier: '3' }),
  },
  {
    name: 'PublishFunctionVersion',
    sdk: (s) =>
      s.publishFunctionVersion(
        FN,
        new fc.PublishFunctionVersionRequest({ body: new fc.PublishVersionInput({ description: 'v1' }) }),
      ),
    ours: (c) => c.publishFunctionVersion(FN, { description: 'v1' }),
  },
  {
    name: 'ListFunctionVersions',
    sdk: (s) =>
      s.listFunctionVersions(
        FN,
        new fc.ListFunctionVersionsRequest({ direction: 'FORWARD', limit: 5, nextToken: 'n+1' }),
      ),
    ours: (c) => c.listFunctionVersions(FN, { direction: 'FORWARD', limit: 5, nextToken: 'n+1' }),
  },
  {
    name: 'DeleteFunctionVersion',
    sdk: (s) => s.deleteFunctionVersion(FN, '2'),
    ours: (c) => c.deleteFunctionVersion(FN, '2'),
  },
  {
    name: 'CreateAlias',
    sdk: (s) =>
      s.createAlias(
        FN,
        new fc.CreateAliasRequest({
          body: new fc.CreateAliasInput({
            aliasName: 'prod',
            versionId: '1',
            description: 'production',
            additionalVersionWeight: { '2': 0.1 },
          }),
        }),
      ),
    ours: (c) =>
      c.createAlias(FN, {
        aliasName: 'prod',
        versionId: '1',
        description: 'production',
        additionalVersionWeight: { '2': 0.1 },
      }),
  },
  {
    name: 'GetAlias',
    sdk: (s) => s.getAlias(FN, 'prod'),
    ours: (c) => c.getAlias(FN, 'prod'),
  },
  {
    name: 'UpdateAlias',
    sdk: (s) =>
      s.updateAlias(
        FN,
        'prod',
        new fc.UpdateAliasRequest({ body: new fc.UpdateAliasInput({ versionId: '2', additionalVersionWeight: {} }) }),
      ),
    ours: (c) => c.updateAlias(FN, 'prod', { versionId: '2', additionalVersionWeight: {} }),
  },
  {
    name: 'ListAliases',
    sdk: (s) => s.listAliases(FN, new fc.ListAliasesRequest({ limit: 3, prefix: 'pr' })),
    ours: (c) => c.listAliases(FN, { limit: 3, prefix: 'pr' }),
  },
  {
    name: 'DeleteAlias',
    sdk: (s) => s.deleteAlias(FN, 'prod'),
    ours: (c) => c.deleteAlias(FN, 'prod'),
  },
  {
    name: 'GetAsyncTask',
    sdk: (s) => s.getAsyncTask(FN, 'task_1', new fc.GetAsyncTaskRequest({ qualifier: 'prod' })),
    ours: (c) => c.getAsyncTask(FN, 'task_1', { qualifier: 'prod' }),
  },
  {
    name: 'ListAsyncTasks',
    sdk: (s) =>
      s.listAsyncTasks(
        FN,
        new fc.ListAsyncTasksRequest({
          includePayload: true,
          limit: 10,
          prefix: 'job-',
          qualifier: 'LATEST',
          sortOrderByTime: 'desc',
          startedTimeBegin: 1_640_966_400_000,
          startedTimeEnd: 1_640_966_500_000,
          status: 'Running',
        }),
      ),
    ours: (c) =>
      c.listAsyncTasks(FN, {
        includePayload: true,
        limit: 10,
        prefix: 'job-',
        qualifier: 'LATEST',
        sortOrderByTime: 'desc',
        startedTimeBegin: 1_640_966_400_000,
        startedTimeEnd: 1_640_966_500_000,
        status: 'Running',
      }),
  },
  {
    name: 'StopAsyncTask',
    sdk: (s) => s.stopAsyncTask(FN, 'task_1', new fc.StopAsyncTaskRequest({ qualifier: 'LATEST' })),
    ours: (c) => c.stopAsyncTask(FN, 'task_1', { qualifier: 'LATEST' }),
  },
  {
    name: 'PutAsyncInvokeConfig',
    sdk: (s) =>
      s.putAsyncInvokeConfig(
        FN,
        new fc.PutAsyncInvokeConfigRequest({
          qualifier: 'prod',
          body: new fc.PutAsyncInvokeConfigInput({
            asyncTask: true,
            maxAsyncEventAgeInSeconds: 300,
            maxAsyncRetryAttempts: 0,
            destinationConfig: new fc.DestinationConfig({
              onFailure: new fc.Destination({ destination: 'acs:fc:cn-hangzhou:123:functions/dlq' }),
            }),
          }),
        }),
      ),
    ours: (c) =>
      c.putAsyncInvokeConfig(
        FN,
        {
          asyncTask: true,
          maxAsyncEventAgeInSeconds: 300,
          maxAsyncRetryAttempts: 0,
          destinationConfig: { onFailure: { destination: 'acs:fc:cn-hangzhou:123:functions/dlq' } },
        },
        { qualifier: 'prod' },
      ),
  },
  {
    name: 'GetAsyncInvokeConfig',
    sdk: (s) => s.getAsyncInvokeConfig(FN, new fc.GetAsyncInvokeConfigRequest({ qualifier: 'prod' })),
    ours: (c) => c.getAsyncInvokeConfig(FN, { qualifier: 'prod' }),
  },
  {
    name: 'DeleteAsyncInvokeConfig',
    sdk: (s) => s.deleteAsyncInvokeConfig(FN, new fc.DeleteAsyncInvokeConfigRequest({ qualifier: 'prod' })),
    ours: (c) => c.deleteAsyncInvokeConfig(FN, { qualifier: 'prod' }),
  },
  {
    name: 'ListAsyncInvokeConfigs',
    sdk: (s) => s.listAsyncInvokeConfigs(new fc.ListAsyncInvokeConfigsRequest({ functionName: FN, limit: 2 })),
    ours: (c) => c.listAsyncInvokeConfigs({ functionName: FN, limit: 2 }),
  },
  {
    name: 'CreateSession with JuiceFS and a read-only PolarFS mount',
    sdk: (s) =>
      s.createSession(
        FN,
        new fc.CreateSessionRequest({
          body: new fc.CreateSessionInput({
            sessionId: 'sess-2',
            juiceFsConfig: new fc.JuiceFsConfig({
              envs: { JFS_CACHE: '1' },
              mountPoints: [
                new fc.JuiceFsMountConfig({
                  volumeName: 'vol',
                  token: 'jfs-token',
                  remoteDir: '/data',
                  mountDir: '/mnt/jfs',
                  args: ['--cache-size=100'],
                }),
              ],
            }),
            polarFsConfig: new fc.PolarFsConfig({
              mountPoints: [
                new fc.PolarFsMountConfig({
                  instanceId: 'pfs-1',
                  mountDir: '/mnt/pfs',
                  remoteDir: '/',
                  readOnly: true,
                }),
              ],
            }),
          }),
        }),
      ),
    ours: (c) =>
      c.createSession(FN, {
        sessionId: 'sess-2',
        juiceFsConfig: {
          envs: { JFS_CACHE: '1' },
          mountPoints: [
            {
              volumeName: 'vol',
              token: 'jfs-token',
              remoteDir: '/data',
              mountDir: '/mnt/jfs',
              args: ['--cache-size=100'],
            },
          ],
        },
        polarFsConfig: {
          mountPoints: [{ instanceId: 'pfs-1', mountDir: '/mnt/pfs', remoteDir: '/', readOnly: true }],
        },
      }),
  },
];

/** The query as a signer sees it: each pair decoded, then canonicalised. */
function canonicalQueryOf(url: string): string {
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const decoded = query
    .split('&')
    .filter(Boolean)
    .map((pair): [string, string] => {
      const eq = pair.indexOf('=');
      return eq < 0
        ? [decodeURIComponent(pair), '']
        : [decodeURIComponent(pair.slice(0, eq)), decodeURIComponent(pair.slice(eq + 1))];
    });
  return canonicalQuery(decoded);
}

const bodyOf = (request: Recorded): unknown =>
  request.headers['content-type']?.startsWith('application/json')
    ? JSON.parse(request.body.toString())
    : request.body.toString('base64');

/** Re-signs a recorded request with our signer, using the request's own date and nonce. */
function ourSignature(request: Recorded, credentials: Credentials): string | undefined {
  const {
    authorization: _authorization,
    'x-acs-date': date,
    'x-acs-signature-nonce': nonce,
    'x-acs-content-sha256': _hash,
    'x-acs-accesskey-id': _id,
    'x-acs-security-token': _token,
    ...headers
  } = request.headers;
  return signRequest({ method: request.method, url: request.url, headers, body: request.body }, credentials, {
    date: new Date(String(date)),
    nonce: String(nonce),
  })['authorization'];
}

/** Signs a recorded request with the SDK's own signer. */
function sdkSignature(request: Recorded, credentials: Credentials): string {
  const { authorization: _authorization, ...headers } = request.headers;
  const query = Object.fromEntries(
    canonicalQueryOf(request.url)
      .split('&')
      .filter(Boolean)
      .map((pair) => pair.split('=').map(decodeURIComponent)),
  );
  const tea = { method: request.method, pathname: request.path, query, headers } as unknown as Parameters<
    typeof openapi.OpenApiUtil.getAuthorization
  >[0];
  return openapi.OpenApiUtil.getAuthorization(
    tea,
    'ACS3-HMAC-SHA256',
    String(headers['x-acs-content-sha256']),
    credentials.accessKeyId,
    credentials.accessKeySecret,
  );
}

const lookup = (id: string) => (id === CREDENTIALS.accessKeyId ? CREDENTIALS.accessKeySecret : undefined);

const kinds: Array<[string, Credentials]> = [
  ['access key', CREDENTIALS],
  ['STS', STS_CREDENTIALS],
];
for (const [kind, credentials] of kinds) {
  describe(`the official SDK as oracle (${kind})`, () => {
    let server: TestServer;
    let sdk: Sdk;
    let client: FcClient;
    const acceptNonce = createNonceCache();

    beforeAll(async () => {
      server = await startServer((request, response) => {
        if (request.path.endsWith('/invocations')) response.writeHead(202).end();
        else sendJson(response, 200, { functionName: FN, sessionId: 'sess-1' });
      });
      sdk = sdkFor(server, credentials);
      client = clientFor(server, { credentials });
    });
    afterAll(async () => {
      client.close();
      await server.close();
    });

    it('sends ListSessions with the escaping of the recorded vector', async () => {
      // Act
      await pairs[2]!.sdk(sdk);

      // Assess
      const request = server.requests.at(-1)!;
      expect(request.url).toBe(
        '/2023-03-30/functions/my-func/sessions?limit=10&nextToken=abc%2B%2F%3D&qualifier=LATEST&sessionId=sess%201*&sessionStatus=Active',
      );
      expect(verifyRequest(signable(request), lookup, { acceptNonce })).toMatchObject({ ok: true });
    });

    for (const pair of pairs) {
      it(`${pair.name}: our verifier accepts the SDK's request, and both clients sign alike`, async () => {
        // Act
        await pair.sdk(sdk);
        const theirs = server.requests.at(-1)!;
        await pair.ours(client);
        const ours = server.requests.at(-1)!;

        // Assess: the SDK's request verifies with our verifier
        expect(verifyRequest(signable(theirs), lookup, { acceptNonce })).toEqual({
          ok: true,
          accessKeyId: credentials.accessKeyId,
          ...(credentials.securityToken ? { securityToken: credentials.securityToken } : {}),
        });

        // Assess: the same logical call
        expect(ours.method).toBe(theirs.method);
        expect(ours.path).toBe(theirs.path);
        if (pair.name.startsWith('ListSessions')) {
          expect(canonicalQueryOf(ours.url)).toBe(
            'limit=10&nextToken=abc%2B%2F%3D&qualifier=LATEST&sessionStatus=Active',
          );
        } else {
          expect(canonicalQueryOf(ours.url)).toBe(canonicalQueryOf(theirs.url));
          expect(bodyOf(ours)).toEqual(bodyOf(theirs));
        }
        for (const name of [
          'x-acs-action',
          'x-acs-version',
          'content-type',
          'x-acs-security-token',
          'x-acs-accesskey-id',
        ]) {
          expect(ours.headers[name], name).toBe(theirs.headers[name]);
        }

        // Assess: with the same date and nonce, each signer gives the other's signature
        expect(ourSignature(theirs, credentials)).toBe(theirs.headers.authorization);
        expect(sdkSignature(ours, credentials)).toBe(ours.headers.authorization);
      });
    }
  });
}
