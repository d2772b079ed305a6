import type { ServerResponse } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { type FcClient, type FcClientOptions, FcError, isRetryableStatus } from '../src/index.js';
import { drop, type Handler, REQUEST_ID, sendJson, type TestServer, useTestServers } from './support/server.js';

const servers = useTestServers();
let server: TestServer | undefined;

async function serve(handler: Handler, options: FcClientOptions = {}): Promise<FcClient> {
  const started = await servers.start(handler, options);
  server = started.server;
  return started.client;
}

function answer(status: number, body: string, headers: Record<string, string> = {}) {
  return (_request: unknown, response: ServerResponse) => {
    response.writeHead(status, headers);
    response.end(body);
  };
}

async function failure(promise: Promise<unknown>): Promise<FcError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FcError);
  return error as FcError;
}

describe('error answers', () => {
  it('reads FC 3.0 {Code, Message, RequestId}', async () => {
    // Prepare
    const fc = await serve((_request, response) =>
      sendJson(response, 404, {
        Code: 'FunctionNotFound',
        Message: 'function not found: nope',
        RequestId: '1-body-id',
      }),
    );

    // Act
    const error = await failure(fc.getFunction('nope'));

    // Assess
    expect(error).toMatchObject({
      name: 'FcError',
      code: 'FunctionNotFound',
      message: 'function not found: nope',
      status: 404,
      requestId: '1-body-id',
      retryable: false,
      field: undefined,
    });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'FcError',
      code: 'FunctionNotFound',
      message: 'function not found: nope',
      status: 404,
      requestId: '1-body-id',
      retryable: false,
      outcomeUnknown: false,
    });
  });

  it('reads lower-case keys', async () => {
    // Prepare
    const fc = await serve(answer(409, '{"code":"SessionAlreadyExists","message":"taken","requestId":"1-lower"}'));

    // Act
    const error = await failure(fc.createSession('f', { sessionId: 'taken' }));

    // Assess
    expect(error).toMatchObject({ code: 'SessionAlreadyExists', message: 'taken', status: 409, requestId: '1-lower' });
  });

  it('reads FC 2.0 {errorCode, errorMessage} and takes the request id from x-fc-request-id', async () => {
    // Prepare
    const fc = await serve(
      answer(403, '{"errorCode":"SignatureNotMatch","errorMessage":"bad signature"}', {
        'x-fc-request-id': REQUEST_ID,
      }),
    );

    // Act
    const error = await failure(fc.invokeFc2('svc', 'fn'));

    // Assess
    expect(error).toMatchObject({
      code: 'SignatureNotMatch',
      message: 'bad signature',
      status: 403,
      requestId: REQUEST_ID,
    });
  });

  it('turns a body that is not JSON into Http<status> with the text', async () => {
    // Prepare
    const fc = await serve(answer(502, '<html>Bad Gateway</html>', { 'x-acs-request-id': 'acs-id' }));

    // Act
    const error = await failure(fc.getSession('f', 's1'));

    // Assess
    expect(error).toMatchObject({ code: 'Http502', status: 502, requestId: 'acs-id', retryable: true });
    expect(error.message).toBe('HTTP 502: <html>Bad Gateway</html>');
  });

  it('turns an empty body into Http<status>', async () => {
    // Prepare
    const fc = await serve(answer(404, ''));

    // Act
    const error = await failure(fc.deleteFunction('gone'));

    // Assess
    expect(error).toMatchObject({
      code: 'Http404',
      message: 'HTTP 404 with an empty body',
      status: 404,
      retryable: false,
    });
  });

  it('rejects a success whose body is not JSON', async () => {
    // Prepare
    const fc = await serve(answer(200, 'not json'));

    // Act
    const error = await failure(fc.getSession('f', 's1'));

    // Assess
    expect(error.code).toBe('InvalidResponse');
    expect(error.message).toContain('GetSession answered 200');
  });

  it('does not throw for a function error: it is a result with errorType', async () => {
    // Prepare
    const body = '{"errorMessage":"boom","errorType":"Error","stackTrace":[]}';
    const fc = await serve(answer(200, body, { 'x-fc-error-type': 'UnhandledInvocationError' }));

    // Act
    const result = await fc.invoke('f');

    // Assess
    expect(result.errorType).toBe('UnhandledInvocationError');
    expect(result.json()).toMatchObject({ errorMessage: 'boom' });
  });

  it('names the request id when an invoke answer is not JSON', async () => {
    // Prepare
    const fc = await serve(answer(200, 'plain text', { 'x-fc-request-id': REQUEST_ID }));

    // Act
    const result = await fc.invoke('f');

    // Assess
    expect(result.text()).toBe('plain text');
    expect(() => result.json()).toThrow(new RegExp(`request ${REQUEST_ID} is not JSON`));
  });
});

describe('retryable', () => {
  const cases: Array<[number, string, boolean]> = [
    [429, 'ResourceExhausted', true],
    [400, 'Throttling.User', true],
    [403, 'Throttling', true],
    [500, 'InternalServerError', true],
    [503, 'ResourceThrottled', true],
    [504, 'Http504', true],
    [400, 'InvalidArgument', false],
    [403, 'AccessDenied', false],
    [404, 'SessionNotFound', false],
    [409, 'FunctionAlreadyExists', false],
  ];

  for (const [status, code, retryable] of cases) {
    it(`${status} ${code} is ${retryable ? '' : 'not '}retryable`, async () => {
      // Prepare
      const fc = await serve((_request, response) => sendJson(response, status, { Code: code, Message: 'm' }));

      // Act
      const error = await failure(fc.getFunction('f'));

      // Assess
      expect(error).toMatchObject({ status, code, retryable });
      expect(isRetryableStatus(status, code)).toBe(retryable);
      expect(server?.requests).toHaveLength(1);
    });
  }
});

describe('network failures', () => {
  it('wraps a dropped connection as a retryable NetworkError keeping its cause', async () => {
    // Prepare
    const fc = await serve((_request, _response, raw) => drop(raw));

    // Act
    const error = await failure(fc.getSession('f', 's1'));

    // Assess
    expect(error.code).toBe('NetworkError');
    expect(error.retryable).toBe(true);
    expect(error.status).toBeUndefined();
    expect(error.message).toMatch(
      /^Request to GET http:\/\/127\.0\.0\.1:\d+\/2023-03-30\/functions\/f\/sessions\/s1 failed: /,
    );
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ECONNRESET');
  });

  it('wraps a refused connection', async () => {
    // Prepare
    const { server: closed, client } = await servers.start();
    await closed.close();

    // Act
    const error = await failure(client.getFunction('f'));

    // Assess
    expect(error).toMatchObject({ code: 'NetworkError', retryable: true });
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('times out a call that gets no answer (timeoutMs per call)', async () => {
    // Prepare
    const fc = await serve(() => undefined);

    // Act
    const error = await failure(fc.getFunction('f', { timeoutMs: 50 }));

    // Assess
    expect(error).toMatchObject({ code: 'RequestTimeout', retryable: true });
    expect(error.message).toContain('took longer than 50 ms');
  });

  it('times out each call at its own limit, a short one while a longer one is in flight', async () => {
    // Prepare
    const fc = await serve(() => undefined);
    const order: number[] = [];
    const timed = (timeoutMs: number) =>
      failure(fc.getFunction('f', { timeoutMs })).then((error) => {
        order.push(timeoutMs);
        return error;
      });

    // Act
    const long = timed(400);
    const short = timed(50);
    const errors = await Promise.all([long, short]);

    // Assess
    expect(order).toEqual([50, 400]);
    expect(errors.map((error) => error.code)).toEqual(['RequestTimeout', 'RequestTimeout']);
    expect(errors[0]?.message).toContain('took longer than 400 ms');
    expect(errors[1]?.message).toContain('took longer than 50 ms');
  });

  it('times out the calls still in flight after one sent between them has finished', async () => {
    // Prepare
    const fc = await serve((request, response) => {
      if (request.url?.includes('/functions/quick')) sendJson(response, 200, { functionName: 'quick' });
    });

    // Act
    const first = failure(fc.getFunction('first', { timeoutMs: 100 }));
    const quick = fc.getFunction('quick');
    const last = failure(fc.getFunction('last', { timeoutMs: 100 }));
    const [firstError, answered, lastError] = await Promise.all([first, quick, last]);

    // Assess
    expect(answered.functionName).toBe('quick');
    expect([firstError.code, lastError.code]).toEqual(['RequestTimeout', 'RequestTimeout']);
  });

  it('times out a call whose body stalls (timeoutMs of the client)', async () => {
    // Prepare
    const fc = await serve(
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"functionName":');
      },
      { timeoutMs: 50 },
    );

    // Act
    const error = await failure(fc.getFunction('f'));

    // Assess
    expect(error.code).toBe('RequestTimeout');
  });

  it('times out an invocation with invokeTimeoutMs', async () => {
    // Prepare
    const fc = await serve(() => undefined, { invokeTimeoutMs: 50 });

    // Act
    const error = await failure(fc.invoke('f'));

    // Assess
    expect(error.code).toBe('RequestTimeout');
    expect(error.message).toContain('POST');
  });
});

describe('AbortSignal', () => {
  it('refuses to send when already aborted', async () => {
    // Prepare
    const fc = await serve(() => undefined);

    // Act
    const error = await failure(fc.getFunction('f', { signal: AbortSignal.abort(new Error('stop')) }));

    // Assess
    expect(error).toMatchObject({ code: 'Aborted', retryable: false });
    expect((error.cause as Error).message).toBe('stop');
    expect(server?.requests).toHaveLength(0);
  });

  it('aborts a call in flight', async () => {
    // Prepare
    const fc = await serve(() => undefined);
    const controller = new AbortController();

    // Act
    const pending = failure(fc.invoke('f', { signal: controller.signal }));
    await server?.received();
    controller.abort(new Error('user gave up'));
    const error = await pending;

    // Assess
    expect(error).toMatchObject({ code: 'Aborted', retryable: false });
    expect((error.cause as Error).message).toBe('user gave up');
  });

  it('aborts while waiting to retry, and says so with an FcError', async () => {
    // Prepare
    const fc = await serve(
      (_request, response) => sendJson(response, 503, { Code: 'ResourceThrottled', Message: 'busy' }),
      {
        retry: { maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      },
    );
    const controller = new AbortController();
    // The backoff draws its jitter right before it sleeps: abort once that sleep has begun.
    vi.spyOn(Math, 'random').mockImplementation(() => {
      setImmediate(() => controller.abort(new Error('shutting down')));
      return 0.5;
    });

    // Act
    const error = await failure(fc.getFunction('f', { signal: controller.signal }));

    // Assess
    expect(error).toMatchObject({ code: 'Aborted', retryable: false });
    expect((error.cause as Error).message).toBe('shutting down');
    expect(server?.requests).toHaveLength(1);
  });
});
