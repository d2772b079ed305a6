import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FcClient, FcError, MCP_SESSION_HEADER, SESSION_COOKIE } from '../src/index.js';
import { acsVerifier, clientFor, type Recorded, sendJson, startServer, type TestServer } from './support/server.js';

const FUNCTIONS: Record<string, Record<string, unknown>> = {
  byHeader: { sessionAffinity: 'HEADER_FIELD', sessionAffinityConfig: '{"affinityHeaderFieldName":"X-Session-Id"}' },
  byCookie: { sessionAffinity: 'GENERATED_COOKIE', sessionAffinityConfig: '{"sessionTTLInSeconds":3600}' },
  byMcp: { sessionAffinity: 'MCP_STREAMABLE' },
  noAffinity: { sessionAffinity: 'NONE' },
};

/** Routes like FC's gateway: with no session in the request it makes one and says so in the answer. */
function gateway(request: Recorded, response: ServerResponse): void {
  const name = /^\/2023-03-30\/functions\/([^/]+)/.exec(request.path)?.[1] ?? '';
  const fn = FUNCTIONS[name];
  if (!fn) {
    sendJson(response, 404, { Code: 'FunctionNotFound', Message: name });
  } else if (!request.path.endsWith('/invocations')) {
    sendJson(response, 200, { functionName: name, ...fn });
  } else {
    const headers: Record<string, string | string[]> = {};
    if (fn['sessionAffinity'] === 'HEADER_FIELD' && !request.headers['x-session-id'])
      headers['X-Session-Id'] = 'made-by-fc-header';
    if (
      fn['sessionAffinity'] === 'GENERATED_COOKIE' &&
      !String(request.headers.cookie ?? '').includes(SESSION_COOKIE)
    ) {
      headers['Set-Cookie'] = ['other=1; Path=/', `${SESSION_COOKIE}=made-by-fc-cookie; Max-Age=3600`];
    }
    response.writeHead(200, headers);
    response.end('ok');
  }
}

describe('session routing', () => {
  let server: TestServer;
  let client: FcClient;
  const verify = acsVerifier();

  beforeAll(async () => {
    server = await startServer(gateway);
  });
  beforeEach(() => {
    client = clientFor(server);
    server.requests.length = 0;
  });
  afterEach(() => client.close());
  afterAll(() => server.close());

  const invocations = () => server.requests.filter((r) => r.path.endsWith('/invocations'));
  const reads = () => server.requests.filter((r) => r.headers['x-acs-action'] === 'GetFunction');

  it('HEADER_FIELD: sends the id in the function’s header, read once from GetFunction for several invokes', async () => {
    // Act
    const first = await client.invoke('byHeader', { session: 'sess-a' });
    const second = await client.invoke('byHeader', { session: { id: 'sess-b' } });

    // Assess
    expect(reads()).toHaveLength(1);
    expect(reads()[0]?.headers['x-acs-action']).toBe('GetFunction');
    const [a, b] = invocations();
    expect(a?.headers['x-session-id']).toBe('sess-a');
    expect(b?.headers['x-session-id']).toBe('sess-b');
    expect(a?.headers.authorization).not.toContain('x-session-id');
    expect(verify(a!).ok).toBe(true);
    expect(first.sessionId).toBe('sess-a');
    expect(second.sessionId).toBe('sess-b');
  });

  it('HEADER_FIELD: reports the id FC made when the caller sent none', async () => {
    // Act
    const result = await client.invoke('byHeader', { session: {} });

    // Assess
    expect(invocations()[0]?.headers['x-session-id']).toBeUndefined();
    expect(result.sessionId).toBe('made-by-fc-header');
  });

  it('GENERATED_COOKIE: adds the session cookie to the caller’s own cookie', async () => {
    // Act
    const result = await client.invoke('byCookie', { session: 'sess-c', headers: { Cookie: 'theme=dark' } });

    // Assess
    expect(invocations()[0]?.headers.cookie).toBe(`theme=dark; ${SESSION_COOKIE}=sess-c`);
    expect(result.sessionId).toBe('sess-c');
  });

  it('GENERATED_COOKIE: reports the id from Set-Cookie when the caller sent none', async () => {
    // Act
    const result = await client.invoke('byCookie', { session: {} });

    // Assess
    expect(invocations()[0]?.headers.cookie).toBeUndefined();
    expect(result.sessionId).toBe('made-by-fc-cookie');
  });

  it('MCP: sends Mcp-Session-Id', async () => {
    // Act
    const result = await client.invoke('byMcp', { session: 'mcp-1' });

    // Assess
    expect(invocations()[0]?.headers[MCP_SESSION_HEADER]).toBe('mcp-1');
    expect(result.sessionId).toBe('mcp-1');
  });

  it('an explicit affinity skips GetFunction', async () => {
    // Act
    await client.invoke('byHeader', { session: { id: 's1', affinity: 'HEADER_FIELD', headerName: 'X-Session-Id' } });
    await client.invoke('byCookie', { session: { id: 's2', affinity: 'GENERATED_COOKIE' } });

    // Assess
    expect(reads()).toHaveLength(0);
    expect(invocations().map((r) => [r.headers['x-session-id'], r.headers.cookie])).toEqual([
      ['s1', undefined],
      [undefined, `${SESSION_COOKIE}=s2`],
    ]);
  });

  it('NONE refuses a session id before invoking', async () => {
    // Act
    const error = await client.invoke('noAffinity', { session: 'sess-x' }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(FcError);
    expect(error).toMatchObject({ code: 'InvalidArgument', field: 'session' });
    expect((error as FcError).message).toContain('sessionAffinity NONE');
    expect(invocations()).toHaveLength(0);
  });

  it('HEADER_FIELD without a header name refuses before invoking', async () => {
    // Act
    const error = await client
      .invoke('byCookie', { session: { id: 's', affinity: 'HEADER_FIELD' } })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'InvalidArgument', field: 'session.headerName' });
    expect(invocations()).toHaveLength(0);
  });

  it('reads the affinity under the client’s own timeout, not the invocation’s', async () => {
    // Act
    const result = await client.invoke('byHeader', { session: 's1', timeoutMs: 4_000_000 });

    // Assess
    expect(result.sessionId).toBe('s1');
    expect(reads()).toHaveLength(1);
  });

  it('updating the function forgets its cached affinity', async () => {
    // Act
    await client.invoke('byHeader', { session: 's1' });
    await client.updateFunction('byHeader', { memorySize: 256 });
    await client.invoke('byHeader', { session: 's2' });

    // Assess
    expect(reads()).toHaveLength(2);
  });
});

describe('invokeStream', () => {
  let server: TestServer;
  let client: FcClient;
  let release: () => void = () => undefined;

  beforeAll(async () => {
    // Writes the first chunk, then waits until the test has seen it before writing the rest.
    server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'x-fc-request-id': 'req-stream' });
      response.write('data: 1\n\n');
      new Promise<void>((resolve) => {
        release = resolve;
      }).then(() => response.end('data: 2\n\n'));
    });
    client = new FcClient({
      endpoint: server.url,
      accountId: '1234567890123456',
      region: 'cn-hangzhou',
      credentials: { accessKeyId: 'id', accessKeySecret: 'secret' },
      env: {},
    });
  });
  afterAll(async () => {
    release();
    client.close();
    await server.close();
  });

  it('hands back the body unbuffered: the first chunk arrives before the function ends', async () => {
    // Act
    const result = await client.invokeStream('streamer', { body: 'go' });
    const chunks: string[] = [];
    for await (const chunk of result.body) {
      chunks.push(String(chunk));
      if (chunks.length === 1) release();
    }

    // Assess
    expect(result.requestId).toBe('req-stream');
    expect(result.status).toBe(200);
    expect(chunks).toEqual(['data: 1\n\n', 'data: 2\n\n']);
  });
});
