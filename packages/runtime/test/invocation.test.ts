import {
  ACCOUNT_ID,
  FAKE_CREDENTIALS,
  FC2_REQUEST_ID,
  FUNCTION_HANDLER,
  FUNCTION_NAME,
  fc2Env,
  fc2Headers,
  fc3AsyncTaskHeaders,
  fc3Env,
  fc3Headers,
  fc3HttpHeaders,
  INSTANCE_ID,
  LOG_PROJECT,
  LOG_STORE,
  MEMORY_MB,
  REGION,
  REQUEST_ID,
  SPAN_CONTEXT,
  TIMEOUT_SECONDS,
} from '@fc-sessions/testing';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Invocation, readInvocation } from '../src/index.js';
import { FIELDS } from '../src/invocation.js';

const noEnv = {};

describe('readInvocation from FC 3.0 headers', () => {
  it('reads every field FC sends', () => {
    const invocation = readInvocation(fc3Headers, { env: fc3Env });
    expect(invocation).toMatchObject({
      requestId: REQUEST_ID,
      functionName: FUNCTION_NAME,
      handler: FUNCTION_HANDLER,
      memoryMB: MEMORY_MB,
      timeoutSeconds: TIMEOUT_SECONDS,
      region: REGION,
      accountId: ACCOUNT_ID,
      qualifier: 'LATEST',
      instanceId: INSTANCE_ID,
      controlPath: '/invoke',
      kind: 'invoke',
      retryCount: 0,
      asyncTaskId: undefined,
      invocationType: undefined,
      logProject: LOG_PROJECT,
      logStore: LOG_STORE,
      tracing: {
        spanContext: SPAN_CONTEXT,
        baggage: { 'x-b3-sampled': '1', tenant: 'acme' },
        jaegerEndpoint: undefined,
      },
    });
    expect(invocation.credentials?.accessKeyId).toBe(FAKE_CREDENTIALS.accessKeyId);
    expect(invocation.credentials?.accessKeySecret).toBe(FAKE_CREDENTIALS.accessKeySecret);
    expect(invocation.credentials?.securityToken).toBe(FAKE_CREDENTIALS.securityToken);
  });

  it('treats the empty values FC sends as missing', () => {
    const invocation = readInvocation(fc3Headers, { env: noEnv });
    expect(invocation.versionId).toBeUndefined();
    expect(invocation.tracing?.jaegerEndpoint).toBeUndefined();
    expect(invocation.instanceId).toBeUndefined();
  });

  it('knows web traffic by its control path', () => {
    expect(readInvocation(fc3HttpHeaders, { env: noEnv })).toMatchObject({ controlPath: '/http-invoke', kind: 'http' });
    const init = readInvocation({ ...fc3Headers, 'x-fc-control-path': '/initialize' }, { env: noEnv });
    expect(init.kind).toBe('initialize');
    const unknown = readInvocation({ ...fc3Headers, 'x-fc-control-path': '/other' }, { env: noEnv });
    expect(unknown).toMatchObject({ controlPath: '/other', kind: undefined });
  });

  it('reads the async task id and an invocation type when the caller sent one', () => {
    const invocation = readInvocation({ ...fc3AsyncTaskHeaders, 'x-fc-invocation-type': 'async' }, { env: noEnv });
    expect(invocation.asyncTaskId).toBe('nightly_report-42');
    expect(invocation.invocationType).toBe('Async');
    expect(readInvocation({ 'x-fc-invocation-type': 'Sync' }).invocationType).toBe('Sync');
  });
});

describe('readInvocation from FC 2.0 headers', () => {
  it('reads the stateful async invocation id as the async task id', () => {
    const invocation = readInvocation(fc2Headers, { env: fc2Env });
    expect(invocation).toMatchObject({
      requestId: FC2_REQUEST_ID,
      qualifier: 'prod',
      versionId: '3',
      retryCount: 1,
      asyncTaskId: 'order-2024-0001',
      tracing: { spanContext: SPAN_CONTEXT, baggage: undefined },
    });
  });

  it('falls back to the FC 2.0 environment for instance facts', () => {
    const invocation = readInvocation({ 'x-fc-request-id': FC2_REQUEST_ID }, { env: fc2Env });
    expect(invocation).toMatchObject({
      functionName: FUNCTION_NAME,
      handler: FUNCTION_HANDLER,
      memoryMB: MEMORY_MB,
      region: REGION,
      accountId: ACCOUNT_ID,
      qualifier: 'prod',
      versionId: '3',
      instanceId: INSTANCE_ID,
      timeoutSeconds: undefined,
      deadline: undefined,
    });
    expect(invocation.credentials?.accessKeySecret).toBe(FAKE_CREDENTIALS.accessKeySecret);
  });
});

describe('readInvocation sources', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('ignores the case of plain record names and takes the first of repeated values', () => {
    const invocation = readInvocation(
      { 'X-Fc-Request-Id': [REQUEST_ID, 'other'], 'X-FC-FUNCTION-MEMORY': 256 },
      { env: noEnv },
    );
    expect(invocation.requestId).toBe(REQUEST_ID);
    expect(invocation.memoryMB).toBe(256);
  });

  it('reads a Fetch Headers object and a Fetch Request', () => {
    const { host: _host, ...headers } = fc3HttpHeaders;
    const fromHeaders = readInvocation(new Headers(headers), { env: noEnv });
    const fromRequest = readInvocation(new Request('http://127.0.0.1/cart', { headers }), { env: noEnv });
    expect(fromHeaders.requestId).toBe(REQUEST_ID);
    expect(fromRequest).toMatchObject({ requestId: REQUEST_ID, kind: 'http', memoryMB: MEMORY_MB });
  });

  it('reads an object with a headers record, as Node gives an IncomingMessage', () => {
    expect(readInvocation({ headers: fc3Headers }, { env: noEnv }).functionName).toBe(FUNCTION_NAME);
  });

  it('prefers a lower-case name given as is, and finds other cases when it is missing', () => {
    const both = readInvocation({ 'X-FC-REQUEST-ID': 'upper', 'x-fc-request-id': REQUEST_ID }, { env: noEnv });
    expect(both.requestId).toBe(REQUEST_ID);
    const mixed = readInvocation({ 'x-fc-REQUEST-id': REQUEST_ID, 'X-Fc-Async-Task-Id': 'task-1' }, { env: noEnv });
    expect(mixed).toMatchObject({ requestId: REQUEST_ID, asyncTaskId: 'task-1' });
  });

  it('reads only own names of a record whose prototype is not a plain object', () => {
    const inherited = Object.create({ 'x-fc-request-id': 'inherited' }) as Record<string, string>;
    inherited['X-Fc-Function-Name'] = FUNCTION_NAME;
    expect(readInvocation(inherited, { env: noEnv })).toMatchObject({
      requestId: undefined,
      functionName: FUNCTION_NAME,
    });
    const bare = Object.assign(Object.create(null) as Record<string, string>, { 'x-fc-request-id': REQUEST_ID });
    expect(readInvocation(bare, { env: noEnv }).requestId).toBe(REQUEST_ID);
  });

  it('uses process.env when no env is given', () => {
    vi.stubEnv('FC_INSTANCE_ID', 'c-from-process-env');
    expect(readInvocation(fc3Headers).instanceId).toBe('c-from-process-env');
  });
});

describe('readInvocation never throws', () => {
  it.each([undefined, null, 42, 'x-fc-request-id', [], new Map(), { headers: null }])('on %s', (source) => {
    const invocation = readInvocation(source as never, { env: noEnv });
    expect(invocation.requestId).toBeUndefined();
    expect(invocation.credentials).toBeUndefined();
  });

  it('on a record whose getter throws', () => {
    const broken = {
      ...fc3Headers,
      get 'x-fc-function-name'(): string {
        throw new Error('boom');
      },
    };
    const invocation = readInvocation(broken, { env: noEnv });
    expect(invocation).toMatchObject({ requestId: REQUEST_ID, functionName: undefined });
  });

  it('on a Headers-like object whose get throws', () => {
    const broken = {
      get() {
        throw new Error('boom');
      },
    };
    expect(readInvocation(broken, { env: noEnv }).requestId).toBeUndefined();
  });

  it('gives undefined for malformed numbers, types, baggage and half credentials', () => {
    const invocation = readInvocation(
      {
        'x-fc-function-memory': '512MB',
        'x-fc-function-timeout': '-3',
        'x-fc-retry-count': '1.5',
        'x-fc-invocation-type': 'sometimes',
        'x-fc-tracing-opentracing-span-baggages': '%%%not-base64-json',
        'x-fc-access-key-id': FAKE_CREDENTIALS.accessKeyId,
        'x-fc-security-token': FAKE_CREDENTIALS.securityToken,
      },
      { env: noEnv },
    );
    expect(invocation).toMatchObject({
      memoryMB: undefined,
      timeoutSeconds: undefined,
      retryCount: undefined,
      invocationType: undefined,
      tracing: undefined,
      credentials: undefined,
      deadline: undefined,
    });
  });

  it('reads baggage sent as plain JSON and keeps only string values', () => {
    const invocation = readInvocation({ 'x-fc-tracing-opentracing-span-baggages': '{"a":"1","n":2}' }, { env: noEnv });
    expect(invocation.tracing?.baggage).toEqual({ a: '1' });
  });
});

describe('deadline', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is the arrival time plus the function timeout, and counts down to 0', () => {
    vi.useFakeTimers({ now: new Date('2024-11-26T15:22:09Z') });
    const { deadline } = readInvocation(fc3Headers, { env: noEnv });
    expect(deadline?.at).toBe(Date.parse('2024-11-26T15:23:09Z'));
    expect(deadline?.remainingMs()).toBe(60_000);
    vi.advanceTimersByTime(45_000);
    expect(deadline?.remainingMs()).toBe(15_000);
    vi.advanceTimersByTime(60_000);
    expect(deadline?.remainingMs()).toBe(0);
  });
});

describe('reading on first access', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('decodes the baggage when it is first read, once', () => {
    const parse = vi.spyOn(JSON, 'parse');
    const { tracing } = readInvocation(fc3Headers, { env: noEnv });
    expect(parse).not.toHaveBeenCalled();
    const baggage = tracing?.baggage;
    expect(baggage).toEqual({ 'x-b3-sampled': '1', tenant: 'acme' });
    expect(tracing?.baggage).toBe(baggage);
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it('decodes baggage at once only when it alone would make the tracing', () => {
    const baggage = fc3Headers['x-fc-tracing-opentracing-span-baggages'];
    expect(readInvocation({ 'x-fc-tracing-opentracing-span-baggages': baggage }, { env: noEnv }).tracing).toMatchObject(
      {
        spanContext: undefined,
        baggage: { tenant: 'acme' },
      },
    );
    expect(
      readInvocation({ 'x-fc-tracing-opentracing-span-baggages': 'e30=' }, { env: noEnv }).tracing,
    ).toBeUndefined();
  });

  it('reads the instance id and the version from the environment when they are first read, once', () => {
    const reads: string[] = [];
    const env = new Proxy(fc3Env, {
      get(target, name: string) {
        reads.push(name);
        return target[name];
      },
    });
    const invocation = readInvocation(fc3Headers, { env });
    expect(reads).toEqual([]);
    expect([invocation.instanceId, invocation.versionId]).toEqual([INSTANCE_ID, 'LATEST']);
    expect([invocation.instanceId, invocation.versionId]).toEqual([INSTANCE_ID, 'LATEST']);
    expect(reads).toEqual(['FC_INSTANCE_ID', 'FC_FUNCTION_VERSION']);
  });

  it('takes the version from the request when it has one, without the environment', () => {
    const invocation = readInvocation(fc2Headers, { env: { FC_FUNCTION_VERSION: 'LATEST' } });
    expect(invocation.versionId).toBe('3');
  });
});

/** Every field in the order `Invocation` declares them, as a plain object. */
function plain(invocation: Invocation): Record<string, unknown> {
  const { requestId, functionName, handler, memoryMB, timeoutSeconds, region, accountId, qualifier } = invocation;
  const { versionId, instanceId, controlPath, kind, retryCount, asyncTaskId, invocationType } = invocation;
  const { logProject, logStore, tracing, deadline, credentials } = invocation;
  return {
    requestId,
    functionName,
    handler,
    memoryMB,
    timeoutSeconds,
    region,
    accountId,
    qualifier,
    controlPath,
    kind,
    retryCount,
    asyncTaskId,
    invocationType,
    logProject,
    logStore,
    tracing: tracing && {
      spanContext: tracing.spanContext,
      baggage: tracing.baggage,
      jaegerEndpoint: tracing.jaegerEndpoint,
    },
    deadline,
    credentials,
    versionId,
    instanceId,
  };
}

describe('an invocation as text', () => {
  it.each([
    ['FC 3.0', fc3Headers, fc3Env],
    ['FC 2.0', fc2Headers, fc2Env],
    ['no headers', {}, {}],
  ])('serialises and prints every field like a plain object (%s)', (_name, headers, env) => {
    const invocation = readInvocation(headers, { env });
    expect(JSON.stringify(invocation)).toBe(JSON.stringify(plain(invocation)));
    for (const options of [{}, { depth: 0 }, { depth: Number.POSITIVE_INFINITY, showHidden: true }]) {
      expect(inspect(invocation, options)).toBe(inspect(plain(invocation), options));
    }
  });
});

describe('FIELDS', () => {
  it('names every x-fc-* header of the fixtures, apart from the ones an invocation does not carry', () => {
    // Prepare: FC sends these too, but they describe the function's setup or the HTTP caller
    const notRead = [
      'x-fc-service-name',
      'x-fc-function-initializer',
      'x-fc-initialization-timeout',
      'x-fc-instance-lifecycle-pre-freeze-handler',
      'x-fc-instance-lifecycle-pre-stop-handler',
      'x-fc-base-path',
      'x-fc-client-ip',
    ];
    const sent = [fc3Headers, fc2Headers, fc3AsyncTaskHeaders, fc3HttpHeaders].flatMap((headers) =>
      Object.keys(headers).filter((name) => name.startsWith('x-fc-')),
    );

    // Act
    const declared: string[] = Object.values(FIELDS).flatMap((field) => field.headers);

    // Assess
    expect(new Set(declared).size).toBe(declared.length);
    expect([...new Set(sent)].filter((name) => !declared.includes(name)).sort()).toEqual(notRead.sort());
  });
});
