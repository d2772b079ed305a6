import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FcClient } from '../src/index.js';
import {
  ACCOUNT_ID,
  acsVerifier,
  CREDENTIALS,
  clientFor,
  type Recorded,
  REQUEST_ID,
  sendJson,
  startServer,
  STS_CREDENTIALS,
  type TestServer,
  verifyFc2,
} from './support/server.js';

const FN = 'my-func';
const SESSION = { sessionId: 'sess-1', functionName: FN, qualifier: 'LATEST', sessionStatus: 'Active' };
const AFFINITY = '{"affinityHeaderFieldName":"x-session-id","sessionConcurrencyPerInstance":20}';
const FUNCTION = {
  functionName: FN,
  runtime: 'nodejs20',
  sessionAffinity: 'HEADER_FIELD',
  sessionAffinityConfig: AFFINITY,
};

/** Answers like FC: the shape of each operation's response, with the request's own parts echoed where useful. */
function fakeFc(request: Recorded, response: ServerResponse): void {
  const { method, path } = request;
  if (path.endsWith('/invocations')) {
    const async = request.headers['x-fc-invocation-type'] === 'Async';
    response.writeHead(async ? 202 : 200, {
      'x-fc-request-id': REQUEST_ID,
      'x-fc-instance-id': 'c-instance-1',
      'x-fc-code-checksum': '123456789',
      'x-fc-invocation-service-version': request.query['qualifier'] ?? 'LATEST',
      ...(request.headers['x-fc-log-type'] === 'Tail'
        ? { 'x-fc-log-result': Buffer.from('FC Invoke Start\nhello\n').toString('base64') }
        : {}),
      ...(async && request.headers['x-fc-async-task-id']
        ? { 'x-fc-async-task-id': String(request.headers['x-fc-async-task-id']) }
        : {}),
      ...(path.startsWith('/2016-08-15/') ? { 'x-fc-max-memory-usage': '42.5', 'x-fc-invocation-duration': '7' } : {}),
    });
    response.end(async ? undefined : request.body);
    return;
  }
  if (method === 'DELETE') {
    response.writeHead(204, { 'x-fc-request-id': REQUEST_ID });
    response.end();
  } else if (path.endsWith('/resume')) {
    sendJson(response, 200, {});
  } else if (path.endsWith('/pause')) {
    sendJson(response, 200, { ...SESSION, sessionStatus: 'Paused' });
  } else if (path.endsWith('/sessions') && method === 'GET') {
    sendJson(response, 200, { sessions: [SESSION], nextToken: 'page-2' });
  } else if (path.includes('/sessions')) {
    sendJson(response, 200, { ...SESSION, ...input(request) });
  } else if (path === '/2023-03-30/functions' && method === 'GET') {
    sendJson(response, 200, { functions: [FUNCTION] });
  } else if (path.startsWith('/2023-03-30/functions')) {
    sendJson(response, 200, { ...FUNCTION, ...input(request), codeChecksum: '123456789', functionId: 'f-1' });
  } else {
    sendJson(response, 404, { Code: 'NotFound', Message: `no route ${method} ${path}` });
  }
}

const input = (request: Recorded): object =>
  request.body.length > 0 ? (JSON.parse(request.body.toString()) as object) : {};
const sha256 = (body: Buffer) => createHash('sha256').update(body).digest('hex');
const json = (request: Recorded): unknown => JSON.parse(request.body.toString('utf8'));

describe('requests the client sends', () => {
  let server: TestServer;
  let client: FcClient;
  let host: string;
  const verify = acsVerifier();

  beforeAll(async () => {
    server = await startServer(fakeFc);
    client = clientFor(server);
    host = new URL(server.url).host;
  });
  afterAll(async () => {
    client.close();
    await server.close();
  });

  const last = (): Recorded => server.requests.at(-1)!;

  /** The ACS3 headers every FC 3.0 call carries, signed and accepted by the verifier. */
  function expectAcs3(request: Recorded, action: string, contentType?: string): void {
    expect(request.headers).toMatchObject({
      host,
      'x-acs-action': action,
      'x-acs-version': '2023-03-30',
      'x-acs-content-sha256': sha256(request.body),
    });
    expect(request.headers['content-type']).toBe(contentType);
    expect(request.headers['x-acs-date']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(request.headers['x-acs-signature-nonce']).toMatch(/^[0-9a-f]{32}$/);
    const signed = [
      'host',
      'x-acs-action',
      'x-acs-content-sha256',
      'x-acs-date',
      'x-acs-signature-nonce',
      'x-acs-version',
    ];
    if (contentType) signed.unshift('content-type');
    expect(request.headers.authorization).toMatch(
      new RegExp(
        `^ACS3-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId},SignedHeaders=${signed.join(';')},Signature=[0-9a-f]{64}$`,
      ),
    );
    expect(verify(request)).toEqual({ ok: true, accessKeyId: CREDENTIALS.accessKeyId });
  }

  const JSON_TYPE = 'application/json; charset=utf-8';

  describe('sessions', () => {
    it('CreateSession: POST /sessions with the input and a client-made id', async () => {
      // Act
      const session = await client.createSession(
        FN,
        { sessionTTLInSeconds: 3600, sessionIdleTimeoutInSeconds: 600 },
        { qualifier: 'prod' },
      );

      // Assess
      const request = last();
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/2023-03-30/functions/my-func/sessions');
      expect(request.query).toEqual({ qualifier: 'prod' });
      const body = json(request) as Record<string, unknown>;
      expect(body).toEqual({
        sessionTTLInSeconds: 3600,
        sessionIdleTimeoutInSeconds: 600,
        sessionId: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
      expect(request.headers.accept).toBe('application/json');
      expectAcs3(request, 'CreateSession', JSON_TYPE);
      expect(session.sessionId).toBe(body['sessionId']);
    });

    it('CreateSession keeps a caller-chosen id', async () => {
      // Act
      await client.createSession(FN, { sessionId: 'my_session-1', disableSessionIdReuse: true });

      // Assess
      expect(json(last())).toEqual({ sessionId: 'my_session-1', disableSessionIdReuse: true });
      expect(last().query).toEqual({});
    });

    it('GetSession: GET /sessions/{id} without a body', async () => {
      // Act
      const session = await client.getSession(FN, 'sess-1', { qualifier: 'LATEST' });

      // Assess
      const request = last();
      expect(request.method).toBe('GET');
      expect(request.path).toBe('/2023-03-30/functions/my-func/sessions/sess-1');
      expect(request.query).toEqual({ qualifier: 'LATEST' });
      expect(request.body.length).toBe(0);
      expectAcs3(request, 'GetSession');
      expect(session).toEqual(SESSION);
    });

    it('UpdateSession: PUT /sessions/{id} with the input', async () => {
      // Act
      const session = await client.updateSession(FN, 'sess-1', {
        sessionTTLInSeconds: 7200,
        sessionIdleTimeoutInSeconds: 0,
      });

      // Assess
      const request = last();
      expect(request.method).toBe('PUT');
      expect(request.path).toBe('/2023-03-30/functions/my-func/sessions/sess-1');
      expect(json(request)).toEqual({ sessionTTLInSeconds: 7200, sessionIdleTimeoutInSeconds: 0 });
      expectAcs3(request, 'UpdateSession', JSON_TYPE);
      expect(session.sessionTTLInSeconds).toBe(7200);
    });

    it('DeleteSession: DELETE /sessions/{id}, 204 is success', async () => {
      // Act
      const result = await client.deleteSession(FN, 'sess-1', { qualifier: 'prod' });

      // Assess
      const request = last();
      expect(request.method).toBe('DELETE');
      expect(request.path).toBe('/2023-03-30/functions/my-func/sessions/sess-1');
      expect(request.query).toEqual({ qualifier: 'prod' });
      expect(request.body.length).toBe(0);
      expectAcs3(request, 'DeleteSession');
      expect(result).toEqual({ alreadyGone: false });
    });

    it('ListSessions: GET /sessions with every filter in the query', async () => {
      // Act
      const page = await client.listSessions(FN, {
        limit: 10,
        nextToken: 'abc+/=',
        qualifier: 'LATEST',
        sessionId: 'sess_1',
        sessionStatus: 'Active',
      });

      // Assess
      const request = last();
      expect(request.method).toBe('GET');
      expect(request.path).toBe('/2023-03-30/functions/my-func/sessions');
      expect(request.query).toEqual({
        limit: '10',
        nextToken: 'abc+/=',
        qualifier: 'LATEST',
        sessionId: 'sess_1',
        sessionStatus: 'Active',
      });
      expect(request.url).toContain('nextToken=abc%2B%2F%3D');
      expectAcs3(request, 'ListSessions');
      expect(page).toEqual({ sessions: [SESSION], nextToken: 'page-2' });
    });

    it('PauseSession: PUT /sessions/{id}/pause', async () => {
      // Act
      const session = await client.pauseSession(FN, 'sess-1', { qualifier: 'LATEST' });

      // Assess
      const request = last();
      expect(request.method).toBe('PUT');
      expect(request.path).toBe('/2023-03-30/functions/my-func/sessions/sess-1/pause');
      expect(request.query).toEqual({ qualifier: 'LATEST' });
      expect(request.body.length).toBe(0);
      expectAcs3(request, 'PauseSession');
      expect(session?.sessionStatus).toBe('Paused');
    });

    it('ResumeSession: PUT /sessions/{id}/resume with fileSystemOnly; an empty answer is undefined', async () => {
      // Act
      const session = await client.resumeSession(FN, 'sess-1', { fileSystemOnly: true });

      // Assess
      const request = last();
      expect(request.method).toBe('PUT');
      expect(request.path).toBe('/2023-03-30/functions/my-func/sessions/sess-1/resume');
      expect(request.query).toEqual({ fileSystemOnly: 'true' });
      expectAcs3(request, 'ResumeSession');
      expect(session).toBeUndefined();
    });
  });

  describe('functions', () => {
    it('CreateFunction: POST /functions with sessionAffinityConfig as a JSON string, parsed back', async () => {
      // Act
      const created = await client.createFunction({
        functionName: FN,
        runtime: 'nodejs20',
        handler: 'index.handler',
        environmentVariables: { GREETING: 'hi' },
        sessionAffinity: 'HEADER_FIELD',
        sessionAffinityConfig: { affinityHeaderFieldName: 'x-session-id', sessionConcurrencyPerInstance: 20 },
      });

      // Assess
      const request = last();
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/2023-03-30/functions');
      expect(request.query).toEqual({});
      expect(json(request)).toEqual({
        functionName: FN,
        runtime: 'nodejs20',
        handler: 'index.handler',
        environmentVariables: { GREETING: 'hi' },
        sessionAffinity: 'HEADER_FIELD',
        sessionAffinityConfig: AFFINITY,
      });
      expectAcs3(request, 'CreateFunction', JSON_TYPE);
      expect(created.sessionAffinityConfig).toEqual({
        affinityHeaderFieldName: 'x-session-id',
        sessionConcurrencyPerInstance: 20,
      });
      expect(created.codeChecksum).toBe('123456789');
    });

    it('GetFunction: GET /functions/{fn}', async () => {
      // Act
      const fn = await client.getFunction(FN, { qualifier: '3' });

      // Assess
      const request = last();
      expect(request.method).toBe('GET');
      expect(request.path).toBe('/2023-03-30/functions/my-func');
      expect(request.query).toEqual({ qualifier: '3' });
      expectAcs3(request, 'GetFunction');
      expect(fn.sessionAffinityConfig?.affinityHeaderFieldName).toBe('x-session-id');
    });

    it('UpdateFunction: PUT /functions/{fn}', async () => {
      // Act
      await client.updateFunction(FN, { memorySize: 512, timeout: 60 });

      // Assess
      const request = last();
      expect(request.method).toBe('PUT');
      expect(request.path).toBe('/2023-03-30/functions/my-func');
      expect(json(request)).toEqual({ memorySize: 512, timeout: 60 });
      expectAcs3(request, 'UpdateFunction', JSON_TYPE);
    });

    it('DeleteFunction: DELETE /functions/{fn}', async () => {
      // Act
      await client.deleteFunction(FN);

      // Assess
      const request = last();
      expect(request.method).toBe('DELETE');
      expect(request.path).toBe('/2023-03-30/functions/my-func');
      expect(request.body.length).toBe(0);
      expectAcs3(request, 'DeleteFunction');
    });

    it('ListFunctions: GET /functions with limit, nextToken and prefix', async () => {
      // Act
      const page = await client.listFunctions({ limit: 100, nextToken: 't 1', prefix: 'my-' });

      // Assess
      const request = last();
      expect(request.method).toBe('GET');
      expect(request.path).toBe('/2023-03-30/functions');
      expect(request.query).toEqual({ limit: '100', nextToken: 't 1', prefix: 'my-' });
      expectAcs3(request, 'ListFunctions');
      expect(page.functions[0]?.sessionAffinityConfig).toEqual({
        affinityHeaderFieldName: 'x-session-id',
        sessionConcurrencyPerInstance: 20,
      });
      expect(page.nextToken).toBeUndefined();
    });
  });

  describe('InvokeFunction (FC 3.0)', () => {
    it('sync: the event as raw bytes, answer and FC headers read back', async () => {
      // Act
      const result = await client.invoke(FN, { body: '{"hello":"world"}' });

      // Assess
      const request = last();
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/2023-03-30/functions/my-func/invocations');
      expect(request.query).toEqual({});
      expect(request.body.toString()).toBe('{"hello":"world"}');
      expect(request.headers).toMatchObject({ 'x-fc-invocation-type': 'Sync', 'x-fc-log-type': 'None' });
      expect(request.headers['x-fc-async-task-id']).toBeUndefined();
      expect(request.headers['x-fc-async-delay']).toBeUndefined();
      expectAcs3(request, 'InvokeFunction', 'application/octet-stream');
      expect(result).toMatchObject({
        status: 200,
        requestId: REQUEST_ID,
        instanceId: 'c-instance-1',
        codeChecksum: '123456789',
        qualifier: 'LATEST',
        errorType: undefined,
        logs: undefined,
        sessionId: undefined,
      });
      expect(result.json()).toEqual({ hello: 'world' });
    });

    it('bytes go out unchanged', async () => {
      // Prepare
      const bytes = new Uint8Array([0, 1, 2, 250, 255]);

      // Act
      const result = await client.invoke(FN, { body: bytes });

      // Assess
      expect([...last().body]).toEqual([...bytes]);
      expect([...result.body]).toEqual([...bytes]);
      expect(verify(last()).ok).toBe(true);
    });

    it('async with a task id and a delay: 202 and the task id back', async () => {
      // Act
      const result = await client.invoke(FN, {
        body: 'e',
        invocationType: 'Async',
        asyncTaskId: 'task_1',
        asyncDelaySeconds: 30,
      });

      // Assess
      const request = last();
      expect(request.headers).toMatchObject({
        'x-fc-invocation-type': 'Async',
        'x-fc-async-task-id': 'task_1',
        'x-fc-async-delay': '30',
      });
      expectAcs3(request, 'InvokeFunction', 'application/octet-stream');
      expect(result.status).toBe(202);
      expect(result.asyncTaskId).toBe('task_1');
      expect(result.body.length).toBe(0);
    });

    it('Tail: the log comes back decoded', async () => {
      // Act
      const result = await client.invoke(FN, { logType: 'Tail' });

      // Assess
      expect(last().headers['x-fc-log-type']).toBe('Tail');
      expect(result.logs).toBe('FC Invoke Start\nhello\n');
    });

    it('extra headers and a qualifier: headers go out unsigned, the qualifier in the query', async () => {
      // Act
      const result = await client.invoke(FN, {
        qualifier: 'prod',
        headers: { 'X-Custom-Header': 'v1', 'Content-Type': 'application/json' },
      });

      // Assess
      const request = last();
      expect(request.path).toBe('/2023-03-30/functions/my-func/invocations');
      expect(request.query).toEqual({ qualifier: 'prod' });
      expect(request.headers['x-custom-header']).toBe('v1');
      expect(request.headers.authorization).not.toContain('x-custom-header');
      expectAcs3(request, 'InvokeFunction', 'application/json');
      expect(result.qualifier).toBe('prod');
    });

    it('a second request uses a new nonce', async () => {
      // Act
      await client.invoke(FN, { body: 'same' });
      await client.invoke(FN, { body: 'same' });

      // Assess
      const [first, second] = server.requests.slice(-2) as [Recorded, Recorded];
      expect(first.headers['x-acs-signature-nonce']).not.toBe(second.headers['x-acs-signature-nonce']);
      expect(first.headers.authorization).not.toBe(second.headers.authorization);
      expect(verify(first).ok).toBe(true);
      expect(verify(second).ok).toBe(true);
      expect(verify(second)).toMatchObject({ ok: false, code: 'SignatureNonceUsed' });
    });

    it('STS keys add a signed security token', async () => {
      // Prepare
      const sts = clientFor(server, { credentials: STS_CREDENTIALS });

      // Act
      await sts.invoke(FN, { body: 'x' });
      sts.close();

      // Assess
      const request = last();
      expect(request.headers['x-acs-accesskey-id']).toBe(CREDENTIALS.accessKeyId);
      expect(request.headers['x-acs-security-token']).toBe(STS_CREDENTIALS.securityToken);
      expect(request.headers.authorization).toContain('x-acs-accesskey-id');
      expect(request.headers.authorization).toContain('x-acs-security-token');
      expect(verify(request)).toEqual({
        ok: true,
        accessKeyId: CREDENTIALS.accessKeyId,
        securityToken: STS_CREDENTIALS.securityToken,
      });
    });
  });

  describe('InvokeFunction (FC 2.0)', () => {
    it('POST /2016-08-15/services/{service}.{qualifier}/functions/{fn}/invocations, FC-signed', async () => {
      // Act
      const result = await client.invokeFc2('my-service', 'my-fn', {
        qualifier: 'prod',
        body: '{"a":1}',
        logType: 'Tail',
        statefulAsyncInvocationId: 'inv_1',
        headers: { 'X-Fc-Extra': 'signed-too' },
      });

      // Assess
      const request = last();
      expect(request.method).toBe('POST');
      expect(request.url).toBe('/2016-08-15/services/my-service.prod/functions/my-fn/invocations');
      expect(request.body.toString()).toBe('{"a":1}');
      expect(request.headers).toMatchObject({
        host,
        'content-type': 'application/octet-stream',
        'x-fc-account-id': ACCOUNT_ID,
        'x-fc-invocation-type': 'Sync',
        'x-fc-log-type': 'Tail',
        'x-fc-stateful-async-invocation-id': 'inv_1',
        'x-fc-extra': 'signed-too',
      });
      expect(Date.parse(String(request.headers.date))).not.toBeNaN();
      expect(request.headers.authorization).toMatch(new RegExp(`^FC ${CREDENTIALS.accessKeyId}:[A-Za-z0-9+/]+=*$`));
      expect(request.headers['x-acs-signature-nonce']).toBeUndefined();
      expect(verifyFc2(request)).toEqual({ ok: true, accessKeyId: CREDENTIALS.accessKeyId });
      expect(verifyFc2({ ...request, headers: { ...request.headers, 'x-fc-extra': 'changed' } })).toMatchObject({
        ok: false,
      });
      expect(result).toMatchObject({
        status: 200,
        requestId: REQUEST_ID,
        maxMemoryUsageMb: 42.5,
        invocationDurationMs: 7,
        logs: 'FC Invoke Start\nhello\n',
      });
      expect(result.text()).toBe('{"a":1}');
    });

    it('without a qualifier the service stands alone; STS adds x-fc-security-token', async () => {
      // Prepare
      const sts = clientFor(server, { credentials: STS_CREDENTIALS });

      // Act
      await sts.invokeFc2('svc', 'fn', { invocationType: 'Async' });
      sts.close();

      // Assess
      const request = last();
      expect(request.url).toBe('/2016-08-15/services/svc/functions/fn/invocations');
      expect(request.headers['x-fc-invocation-type']).toBe('Async');
      expect(request.headers['content-md5']).toBeUndefined();
      expect(verifyFc2(request)).toEqual({
        ok: true,
        accessKeyId: CREDENTIALS.accessKeyId,
        securityToken: STS_CREDENTIALS.securityToken,
      });
    });
  });
});
