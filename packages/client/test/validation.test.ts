import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FcClient, FcError } from '../src/index.js';
import { clientFor, startServer, type TestServer } from './support/server.js';

interface Case {
  name: string;
  call: (client: FcClient) => Promise<unknown>;
  field: string;
  /** Parts the message must contain besides the field: the value as shown and the allowed range. */
  says: string[];
}

const LONG_ID = 'a'.repeat(65);

const cases: Case[] = [
  {
    name: 'function name with a space',
    call: (c) => c.getFunction('my func'),
    field: 'functionName',
    says: ['"my func"', '1-128 characters', 'starting with a letter or "_"'],
  },
  {
    name: 'function name starting with a digit',
    call: (c) => c.createSession('1fn'),
    field: 'functionName',
    says: ['"1fn"'],
  },
  {
    name: 'function name too long',
    call: (c) => c.deleteFunction('f'.repeat(129)),
    field: 'functionName',
    says: ['1-128'],
  },
  { name: 'empty function name', call: (c) => c.invoke(''), field: 'functionName', says: ['""'] },
  {
    name: 'service name (FC 2.0)',
    call: (c) => c.invokeFc2('bad service', 'f'),
    field: 'serviceName',
    says: ['"bad service"'],
  },
  {
    name: 'session id starting with "-"',
    call: (c) => c.createSession('f', { sessionId: '-s' }),
    field: 'sessionId',
    says: ['"-s"', '1-64 characters', 'not starting with "-"'],
  },
  { name: 'session id too long', call: (c) => c.getSession('f', LONG_ID), field: 'sessionId', says: ['1-64'] },
  { name: 'session id with a slash', call: (c) => c.deleteSession('f', 'a/b'), field: 'sessionId', says: ['"a/b"'] },
  {
    name: 'session id in a list filter',
    call: (c) => c.listSessions('f', { sessionId: 'a b' }),
    field: 'sessionId',
    says: ['"a b"'],
  },
  {
    name: 'session id to invoke',
    call: (c) => c.invoke('f', { session: 'a b' }),
    field: 'session.id',
    says: ['"a b"'],
  },
  {
    name: 'qualifier',
    call: (c) => c.getSession('f', 's', { qualifier: 'v/1' }),
    field: 'qualifier',
    says: ['"v/1"', 'LATEST, a version number or an alias name'],
  },
  { name: 'qualifier of an invoke', call: (c) => c.invoke('f', { qualifier: '' }), field: 'qualifier', says: ['""'] },
  {
    name: 'TTL 0',
    call: (c) => c.createSession('f', { sessionTTLInSeconds: 0 }),
    field: 'sessionTTLInSeconds',
    says: ['from 1 to 21600', 'got 0'],
  },
  {
    name: 'TTL 21601',
    call: (c) => c.updateSession('f', 's', { sessionTTLInSeconds: 21601 }),
    field: 'sessionTTLInSeconds',
    says: ['from 1 to 21600', 'got 21601'],
  },
  {
    name: 'TTL not an integer',
    call: (c) => c.createSession('f', { sessionTTLInSeconds: 1.5 }),
    field: 'sessionTTLInSeconds',
    says: ['got 1.5'],
  },
  {
    name: 'idle timeout -1',
    call: (c) => c.createSession('f', { sessionIdleTimeoutInSeconds: -1 }),
    field: 'sessionIdleTimeoutInSeconds',
    says: ['from 0 to 21600', 'got -1'],
  },
  {
    name: 'idle timeout 21601',
    call: (c) => c.updateSession('f', 's', { sessionIdleTimeoutInSeconds: 21601 }),
    field: 'sessionIdleTimeoutInSeconds',
    says: ['from 0 to 21600', 'got 21601'],
  },
  {
    name: 'disableSessionIdReuse not a boolean',
    call: (c) => c.createSession('f', { disableSessionIdReuse: 'yes' as unknown as boolean }),
    field: 'disableSessionIdReuse',
    says: ['true or false', '"yes"'],
  },
  {
    name: 'list limit 0',
    call: (c) => c.listSessions('f', { limit: 0 }),
    field: 'limit',
    says: ['from 1 to 100', 'got 0'],
  },
  {
    name: 'list limit 101',
    call: (c) => c.listFunctions({ limit: 101 }),
    field: 'limit',
    says: ['from 1 to 100', 'got 101'],
  },
  {
    name: 'affinity header starting with x-fc-',
    call: (c) =>
      c.createFunction({
        functionName: 'f',
        runtime: 'nodejs20',
        sessionAffinityConfig: { affinityHeaderFieldName: 'X-Fc-Session' },
      }),
    field: 'sessionAffinityConfig.affinityHeaderFieldName',
    says: ['"X-Fc-Session"', 'must not start with "x-fc-"'],
  },
  {
    name: 'affinity header too short',
    call: (c) =>
      c.createFunction({
        functionName: 'f',
        runtime: 'nodejs20',
        sessionAffinityConfig: { affinityHeaderFieldName: 'x-id' },
      }),
    field: 'sessionAffinityConfig.affinityHeaderFieldName',
    says: ['"x-id"', '5-40 characters', 'starting with a letter'],
  },
  {
    name: 'affinity header too long',
    call: (c) =>
      c.createFunction({
        functionName: 'f',
        runtime: 'nodejs20',
        sessionAffinityConfig: { affinityHeaderFieldName: `x${'a'.repeat(40)}` },
      }),
    field: 'sessionAffinityConfig.affinityHeaderFieldName',
    says: ['5-40'],
  },
  {
    name: 'affinity header starting with a digit',
    call: (c) =>
      c.createFunction({
        functionName: 'f',
        runtime: 'nodejs20',
        sessionAffinityConfig: { affinityHeaderFieldName: '1-session' },
      }),
    field: 'sessionAffinityConfig.affinityHeaderFieldName',
    says: ['"1-session"'],
  },
  {
    name: 'affinity header with a dot',
    call: (c) => c.updateFunction('f', { sessionAffinityConfig: { affinityHeaderFieldName: 'session.id' } }),
    field: 'sessionAffinityConfig.affinityHeaderFieldName',
    says: ['"session.id"'],
  },
  {
    name: 'sessionConcurrencyPerInstance 201',
    call: (c) =>
      c.createFunction({
        functionName: 'f',
        runtime: 'nodejs20',
        sessionAffinityConfig: { sessionConcurrencyPerInstance: 201 },
      }),
    field: 'sessionAffinityConfig.sessionConcurrencyPerInstance',
    says: ['from 1 to 200', 'got 201'],
  },
  {
    name: 'TTL in the affinity config',
    call: (c) =>
      c.createFunction({ functionName: 'f', runtime: 'nodejs20', sessionAffinityConfig: { sessionTTLInSeconds: 0 } }),
    field: 'sessionAffinityConfig.sessionTTLInSeconds',
    says: ['from 1 to 21600'],
  },
  {
    name: 'unknown sessionAffinity',
    call: (c) => c.createFunction({ functionName: 'f', runtime: 'nodejs20', sessionAffinity: 'STICKY' }),
    field: 'sessionAffinity',
    says: ['"STICKY"', 'NONE, HEADER_FIELD, GENERATED_COOKIE, MCP_SSE, MCP_STREAMABLE'],
  },
  {
    name: 'missing runtime',
    call: (c) => c.createFunction({ functionName: 'f', runtime: '' }),
    field: 'runtime',
    says: ['is required'],
  },
  {
    name: 'memorySize 32',
    call: (c) => c.createFunction({ functionName: 'f', runtime: 'nodejs20', memorySize: 32 }),
    field: 'memorySize',
    says: ['from 64 to 32768', 'got 32'],
  },
  {
    name: 'environment variable starting with FC_',
    call: (c) =>
      c.createFunction({
        functionName: 'f',
        runtime: 'nodejs20',
        environmentVariables: { OK: '1', FC_SECRET_THING: 'x' },
      }),
    field: 'environmentVariables',
    says: ['"FC_SECRET_THING"', 'must not start with FC_'],
  },
  {
    name: 'environment variable starting with FC_ on update',
    call: (c) => c.updateFunction('f', { environmentVariables: { FC_REGION: 'x' } }),
    field: 'environmentVariables',
    says: ['"FC_REGION"'],
  },
  {
    name: 'asyncTaskId starting with a digit',
    call: (c) => c.invoke('f', { invocationType: 'Async', asyncTaskId: '1task' }),
    field: 'asyncTaskId',
    says: ['"1task"', '1-128 characters'],
  },
  {
    name: 'asyncTaskId with a space',
    call: (c) => c.invoke('f', { asyncTaskId: 'a task' }),
    field: 'asyncTaskId',
    says: ['"a task"'],
  },
  {
    name: 'statefulAsyncInvocationId (FC 2.0)',
    call: (c) => c.invokeFc2('s', 'f', { statefulAsyncInvocationId: 'a b' }),
    field: 'statefulAsyncInvocationId',
    says: ['"a b"'],
  },
  {
    name: 'invocationType in lower case',
    call: (c) => c.invoke('f', { invocationType: 'sync' as 'Sync' }),
    field: 'invocationType',
    says: ['"sync"', 'one of Sync, Async'],
  },
  {
    name: 'logType Full',
    call: (c) => c.invokeStream('f', { logType: 'Full' as 'Tail' }),
    field: 'logType',
    says: ['"Full"', 'one of None, Tail'],
  },
  {
    name: 'FC 2.0 invocationType',
    call: (c) => c.invokeFc2('s', 'f', { invocationType: 'Event' as 'Async' }),
    field: 'invocationType',
    says: ['"Event"'],
  },
  {
    name: 'asyncDelaySeconds 3601',
    call: (c) => c.invoke('f', { invocationType: 'Async', asyncDelaySeconds: 3601 }),
    field: 'asyncDelaySeconds',
    says: ['from 0 to 3600', 'got 3601'],
  },
  {
    name: 'per-call timeout of a management call',
    call: (c) => c.getFunction('f', { timeoutMs: 0 }),
    field: 'timeoutMs',
    says: ['from 1 to 3600000', 'got 0'],
  },
  {
    name: 'per-call timeout of an invocation',
    call: (c) => c.invoke('f', { timeoutMs: -1 }),
    field: 'timeoutMs',
    says: ['from 1 to 86400000', 'got -1'],
  },
  {
    name: 'per-call timeout of an FC 2.0 invocation',
    call: (c) => c.invokeFc2('s', 'f', { timeoutMs: 0.5 }),
    field: 'timeoutMs',
    says: ['got 0.5'],
  },
  {
    name: 'caller-given affinity header name',
    call: (c) => c.invoke('f', { session: { id: 's', affinity: 'HEADER_FIELD', headerName: 'x-fc-session' } }),
    field: 'session.headerName',
    says: ['"x-fc-session"', 'must not start with "x-fc-"'],
  },
  {
    name: 'NAS mount with a relative mountDir',
    call: (c) => c.createSession('f', { nasConfig: { mountPoints: [{ serverAddr: 'nas:/', mountDir: 'mnt' }] } }),
    field: 'nasConfig.mountPoints[0].mountDir',
    says: ['"mnt"', 'must be an absolute path'],
  },
  {
    name: 'NAS userId as text',
    call: (c) => c.updateSession('f', 's', { nasConfig: { userId: 'x' as unknown as number } }),
    field: 'nasConfig.userId',
    says: ['"x"', 'from -1 to 65535'],
  },
  {
    name: 'OSS mount points not a list',
    call: (c) => c.createSession('f', { ossMountConfig: { mountPoints: {} as [] } }),
    field: 'ossMountConfig.mountPoints',
    says: ['a list of at most 5 mount points'],
  },
  {
    name: 'OSS readOnly as text',
    call: (c) =>
      c.createSession('f', {
        ossMountConfig: { mountPoints: [{ bucketName: 'b', mountDir: '/m', readOnly: 'no' as unknown as boolean }] },
      }),
    field: 'ossMountConfig.mountPoints[0].readOnly',
    says: ['"no"', 'true or false'],
  },
  {
    name: 'unknown field of a PolarFS mount point',
    call: (c) => c.createSession('f', { polarFsConfig: { mountPoints: [{ mountdir: '/m' } as never] } }),
    field: 'polarFsConfig.mountPoints[0].mountdir',
    says: ['known: instanceId, mountDir, remoteDir, readOnly'],
  },
  {
    name: 'mount config not an object',
    call: (c) => c.createSession('f', { nasConfig: [] as never }),
    field: 'nasConfig',
    says: ['must be an object'],
  },
  {
    name: 'list filter on an unknown status',
    call: (c) => c.listSessions('f', { sessionStatus: 'Bogus' }),
    field: 'sessionStatus',
    says: ['"Bogus"', 'one of Active, Paused, Expired'],
  },
  {
    name: 'per-call retry policy',
    call: (c) => c.invoke('f', { retry: { maxAttempts: 0 } }),
    field: 'retry.maxAttempts',
    says: ['from 1 to 10', 'got 0'],
  },
];

describe('validation before any request', () => {
  let server: TestServer;
  let client: FcClient;

  beforeAll(async () => {
    server = await startServer();
    client = clientFor(server);
  });
  afterEach(() => {
    expect(server.requests).toHaveLength(0);
  });
  afterAll(async () => {
    client.close();
    await server.close();
  });

  for (const c of cases) {
    it(`${c.name}: InvalidArgument naming ${c.field}`, async () => {
      // Act
      const error = await c.call(client).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(FcError);
      expect(error).toMatchObject({ code: 'InvalidArgument', field: c.field, retryable: false, status: undefined });
      const { message } = error as FcError;
      expect(message.startsWith(`${c.field} `)).toBe(true);
      for (const part of c.says) expect(message).toContain(part);
    });
  }

  it('checks region and account id when an endpoint is set', () => {
    // Arrange
    const make = (options: { region?: string; accountId?: string }) => () =>
      new FcClient({ endpoint: 'http://127.0.0.1:1', ...options });

    // Assess
    expect(make({ region: 'evil/..' })).toThrow('region must be a region id such as cn-hangzhou; got "evil/.."');
    expect(make({ accountId: 'abc' })).toThrow('accountId must be the numeric account id; got "abc"');
    expect(make({ region: 'cn-hangzhou', accountId: '1234567890123456' })).not.toThrow();
  });

  it('shows a long value shortened', async () => {
    // Act
    const error = (await client.getFunction(`bad ${'x'.repeat(200)}`).catch((e: unknown) => e)) as FcError;

    // Assess
    expect(error.message).toContain(`"bad ${'x'.repeat(76)}..."`);
    expect(error.message.length).toBeLessThan(250);
  });

  it('accepts the edges of every range', async () => {
    // Prepare
    const edges = () => [
      client.createSession('_f', {
        sessionId: `s${'a'.repeat(63)}`,
        sessionTTLInSeconds: 21600,
        sessionIdleTimeoutInSeconds: 0,
      }),
      client.createSession('F-1', { sessionTTLInSeconds: 1, sessionIdleTimeoutInSeconds: 21600 }),
      client.listSessions('f', { limit: 1 }),
      client.listFunctions({ limit: 100 }),
      client.createFunction({
        functionName: 'f',
        runtime: 'nodejs20',
        sessionAffinityConfig: { affinityHeaderFieldName: 'Abcde', sessionConcurrencyPerInstance: 200 },
      }),
      client.invoke('f', { invocationType: 'Async', asyncTaskId: '_', asyncDelaySeconds: 3600 }),
    ];

    // Act
    const results = await Promise.allSettled(edges());
    const seen = server.requests.length;
    server.requests.length = 0;

    // Assess
    expect(results.map((r) => r.status)).toEqual(Array(6).fill('fulfilled'));
    expect(seen).toBe(6);
  });
});

describe('client options', () => {
  it('refuses a bad timeout or endpoint when constructed', () => {
    // Act
    const attempts = [
      () => new FcClient({ timeoutMs: 0 }),
      () => new FcClient({ invokeTimeoutMs: 1.5 }),
      () => new FcClient({ endpoint: 'ftp://127.0.0.1:9100' }),
      () => new FcClient({ endpoint: 'http://' }),
    ];

    // Assess
    const fields = attempts.map((attempt) => {
      try {
        attempt();
        return 'no error';
      } catch (error) {
        return (error as FcError).field;
      }
    });
    expect(fields).toEqual(['timeoutMs', 'invokeTimeoutMs', 'endpoint', 'endpoint']);
  });
});
