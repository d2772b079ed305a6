import { describe, expect, it } from 'vitest';
import { backoffDelay, FcClient, FcError, type RetryOptions } from '../src/index.js';
import {
  acsVerifier,
  clientFor,
  drop,
  type Handler,
  sendJson,
  type TestServer,
  useTestServers,
} from './support/server.js';

const FAST: RetryOptions = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

const servers = useTestServers({ retry: FAST });
let server: TestServer | undefined;

/** Fails the first `times` requests with `fail`, then answers `{ok: true}`. */
function flaky(times: number, fail: Handler): Handler {
  let seen = 0;
  return (request, response, raw) => {
    seen += 1;
    if (seen <= times) fail(request, response, raw);
    else sendJson(response, 200, { sessionId: 's1', functionName: 'f', ok: true });
  };
}

const unavailable: Handler = (_request, response) =>
  sendJson(response, 503, { Code: 'ServiceUnavailable', Message: 'busy' });
const dropped: Handler = (_request, _response, raw) => drop(raw);

async function setUp(handler: Handler, retry: RetryOptions | false = FAST): Promise<FcClient> {
  const started = await servers.start(handler, { retry });
  server = started.server;
  return started.client;
}

describe('retries of safe calls', () => {
  it('repeats after 503 until it succeeds, signing each attempt anew', async () => {
    // Prepare
    const fc = await setUp(flaky(2, unavailable));
    const verify = acsVerifier();

    // Act
    const session = await fc.getSession('f', 's1');

    // Assess
    expect(session).toMatchObject({ sessionId: 's1' });
    expect(server?.requests).toHaveLength(3);
    expect(server?.requests.map((r) => verify(r).ok)).toEqual([true, true, true]);
  });

  it('repeats after dropped connections until it succeeds', async () => {
    // Prepare
    const fc = await setUp(flaky(2, dropped));

    // Act
    const session = await fc.getSession('f', 's1');

    // Assess
    expect(session.sessionId).toBe('s1');
    expect(server?.requests).toHaveLength(3);
  });

  it('gives up after maxAttempts with the last error', async () => {
    // Prepare
    const fc = await setUp(unavailable, { ...FAST, maxAttempts: 4 });

    // Act
    const error = await fc.listSessions('f').catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(FcError);
    expect(error).toMatchObject({ code: 'ServiceUnavailable', status: 503, retryable: true });
    expect(server?.requests).toHaveLength(4);
  });

  it('does not repeat a caller error', async () => {
    // Prepare
    const fc = await setUp((_request, response) => sendJson(response, 403, { Code: 'AccessDenied', Message: 'no' }));

    // Act
    const error = await fc.getFunction('f').catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'AccessDenied' });
    expect(server?.requests).toHaveLength(1);
  });

  it('uses 3 attempts by default and none with retry: false', async () => {
    // Prepare
    const { server, client: byDefault } = await servers.start(unavailable, {
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
    });
    const never = clientFor(server, { retry: false });

    // Act
    await byDefault.getFunction('f').catch(() => undefined);
    const afterDefault = server.requests.length;
    await never.getFunction('f').catch(() => undefined);
    never.close();

    // Assess
    expect(afterDefault).toBe(3);
    expect(server.requests.length - afterDefault).toBe(1);
  });

  it('a per-call retry overrides the client policy', async () => {
    // Prepare
    const fc = await setUp(unavailable, false);

    // Act
    await fc.invoke('f', { retry: { maxAttempts: 2, baseDelayMs: 1 } }).catch(() => undefined);

    // Assess
    expect(server?.requests).toHaveLength(2);
  });
});

describe('backoff', () => {
  const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 5000 };

  it('is full jitter under an exponential ceiling capped at maxDelayMs', () => {
    // Act
    const highest = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((attempt) => backoffDelay(attempt, policy, () => 0.999999));
    const lowest = [1, 5, 9].map((attempt) => backoffDelay(attempt, policy, () => 0));

    // Assess
    expect(highest).toEqual([99, 199, 399, 799, 1599, 3199, 4999, 4999, 4999]);
    expect(lowest).toEqual([0, 0, 0]);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(200);
  });

  it('stays within small injected bounds across many attempts', async () => {
    // Prepare
    const fc = await setUp(flaky(9, unavailable), { maxAttempts: 10, baseDelayMs: 1, maxDelayMs: 2 });

    // Act
    const session = await fc.getSession('f', 's1');

    // Assess
    expect(session.sessionId).toBe('s1');
    expect(server?.requests).toHaveLength(10);
  });

  it('rejects a policy out of range before any request', () => {
    // Act
    const attempt = () => new FcClient({ endpoint: 'http://127.0.0.1:1', retry: { maxAttempts: 11 } });

    // Assess
    expect(attempt).toThrow(
      expect.objectContaining({
        code: 'InvalidArgument',
        field: 'retry.maxAttempts',
        message: 'retry.maxAttempts must be an integer from 1 to 10; got 11',
      }),
    );
  });
});

describe('invocations', () => {
  it('are not repeated after a 503 unless asked', async () => {
    // Prepare
    const fc = await setUp(flaky(1, unavailable));

    // Act
    const error = await fc.invoke('f', { body: 'once' }).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ status: 503 });
    expect(server?.requests).toHaveLength(1);
  });

  it('are not repeated after a dropped connection unless asked', async () => {
    // Prepare
    const fc = await setUp(flaky(1, dropped));

    // Act
    const error = await fc.invokeFc2('svc', 'f').catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'NetworkError' });
    expect(server?.requests).toHaveLength(1);
  });

  it('are repeated with retry: true', async () => {
    // Prepare
    const fc = await setUp(flaky(1, unavailable));

    // Act
    const result = await fc.invoke('f', { body: 'twice', retry: true });

    // Assess
    expect(result.status).toBe(200);
    expect(server?.requests.map((r) => r.body.toString())).toEqual(['twice', 'twice']);
  });

  it('retry: true follows the client policy', async () => {
    // Prepare
    const fc = await setUp(unavailable, { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 });

    // Act
    const error = await fc.invoke('f', { retry: true }).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ status: 503 });
    expect(server?.requests).toHaveLength(4);
  });

  it('retry: true on a client without retries uses the default policy (3 attempts)', async () => {
    // Prepare
    const fc = await setUp(flaky(2, unavailable), false);

    // Act
    const result = await fc.invokeFc2('svc', 'f', { retry: true });

    // Assess
    expect(result.status).toBe(200);
    expect(server?.requests).toHaveLength(3);
  });

  it('CreateFunction is not repeated (a repeat would meet FunctionAlreadyExists)', async () => {
    // Prepare
    const fc = await setUp(flaky(1, dropped));

    // Act
    const error = await fc.createFunction({ functionName: 'f', runtime: 'nodejs20' }).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'NetworkError' });
    expect(server?.requests).toHaveLength(1);
  });
});

/** A minimal session store: the first CreateSession and DeleteSession are carried out, then their answers lost. */
function sessionStore() {
  const sessions = new Map<string, Record<string, unknown>>();
  const lost = new Set<string>();
  const loseFirst = (what: string, raw: Parameters<Handler>[2]) => {
    if (lost.has(what)) return false;
    lost.add(what);
    drop(raw);
    return true;
  };
  const handler: Handler = (request, response, raw) => {
    const [, functionName = '', id = ''] =
      /^\/2023-03-30\/functions\/([^/]+)\/sessions(?:\/([^/]+))?$/.exec(request.path) ?? [];
    const session = sessions.get(id);
    if (request.method === 'POST') {
      const input = JSON.parse(request.body.toString()) as { sessionId: string };
      if (sessions.has(input.sessionId)) {
        sendJson(response, 409, { Code: 'SessionAlreadyExists', Message: `session ${input.sessionId} exists` });
      } else {
        sessions.set(input.sessionId, { ...input, functionName, sessionStatus: 'Active' });
        if (!loseFirst('create', raw)) sendJson(response, 200, sessions.get(input.sessionId));
      }
    } else if (!session) {
      sendJson(response, 404, { Code: 'SessionNotFound', Message: `session ${id} not found` });
    } else if (request.method === 'GET') {
      sendJson(response, 200, session);
    } else if (request.method === 'DELETE') {
      sessions.delete(id);
      if (!loseFirst('delete', raw)) {
        response.writeHead(204);
        response.end();
      }
    }
  };
  return { sessions, handler };
}

describe('idempotent session calls', () => {
  it('CreateSession whose answer was lost meets 409 on retry and reads the session back: one session', async () => {
    // Prepare
    const store = sessionStore();
    const fc = await setUp(store.handler);

    // Act
    const session = await fc.createSession('f', { sessionTTLInSeconds: 600 });

    // Assess
    expect(store.sessions.size).toBe(1);
    const [stored] = [...store.sessions.values()];
    expect(session).toEqual(stored);
    const [first, second, read] = server?.requests ?? [];
    expect(first?.method).toBe('POST');
    expect(second?.method).toBe('POST');
    expect(second?.body.toString()).toBe(first?.body.toString());
    expect(read?.method).toBe('GET');
    expect(read?.path).toBe(`/2023-03-30/functions/f/sessions/${session.sessionId}`);
    expect(server?.requests).toHaveLength(3);
  });

  it('CreateSession meeting 409 on its first attempt is a real conflict', async () => {
    // Prepare
    const store = sessionStore();
    store.sessions.set('taken', { sessionId: 'taken' });
    const fc = await setUp(store.handler);

    // Act
    const error = await fc.createSession('f', { sessionId: 'taken' }).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'SessionAlreadyExists', status: 409 });
    expect(server?.requests).toHaveLength(1);
  });

  it('DeleteSession whose answer was lost meets 404 on retry and succeeds, saying it found the session gone', async () => {
    // Prepare
    const store = sessionStore();
    store.sessions.set('s1', { sessionId: 's1' });
    const fc = await setUp(store.handler);

    // Act
    const result = await fc.deleteSession('f', 's1');

    // Assess
    expect(result).toEqual({ alreadyGone: true });
    expect(store.sessions.size).toBe(0);
    expect(server?.requests.map((r) => r.method)).toEqual(['DELETE', 'DELETE']);
  });

  it('DeleteSession meeting 404 on its first attempt reports it', async () => {
    // Prepare
    const store = sessionStore();
    const fc = await setUp(store.handler);

    // Act
    const error = await fc.deleteSession('f', 'missing').catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'SessionNotFound', status: 404, outcomeUnknown: false });
  });

  it('DeleteSession answered at once reports the session deleted', async () => {
    // Prepare
    const fc = await setUp((_request, response) => {
      response.writeHead(204);
      response.end();
    });

    // Act
    const result = await fc.deleteSession('f', 's1');

    // Assess
    expect(result).toEqual({ alreadyGone: false });
  });
});

describe('whether a failed call may have taken effect (outcomeUnknown)', () => {
  it('is false when every attempt was answered with an FC error body', async () => {
    // Prepare
    const fc = await setUp((_request, response) =>
      sendJson(response, 503, { Code: 'ResourceThrottled', Message: 'busy', RequestId: '1-x' }),
    );

    // Act
    const error = await fc.createSession('f').catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'ResourceThrottled', status: 503, outcomeUnknown: false });
    expect(server?.requests).toHaveLength(3);
  });

  it('is true when an earlier attempt got no answer, even if the last one was an FC error', async () => {
    // Prepare
    let calls = 0;
    const fc = await setUp((_request, response, raw) => {
      if (++calls === 1) drop(raw);
      else sendJson(response, 503, { Code: 'ResourceThrottled', Message: 'busy', RequestId: '1-x' });
    });

    // Act
    const error = await fc.createSession('f').catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'ResourceThrottled', status: 503, outcomeUnknown: true });
  });

  it("is true for an error answer that is not FC's (no code in the body)", async () => {
    // Prepare
    const fc = await setUp((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<html>bad gateway</html>');
    });

    // Act
    const error = await fc.createSession('f').catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'Http502', outcomeUnknown: true });
  });
});
