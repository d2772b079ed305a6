import {
  ACCOUNT_ID,
  FAKE_CREDENTIALS,
  FUNCTION_NAME,
  fakeContext,
  fc3Env,
  httpTriggerEvent,
  INSTANCE_ID,
  LOG_STORE,
  MEMORY_MB,
  REQUEST_ID,
  SESSION,
  SPAN_CONTEXT,
  TIMEOUT_SECONDS,
} from '@fc-sessions/testing';
import { describe, expect, it } from 'vitest';
import { readEventRequest, wrapHandler, wrapInitializer } from '../src/event.js';
import { currentInvocation, currentRequest, currentSession } from '../src/index.js';

const options = { header: SESSION.header, env: fc3Env };
const eventBuffer = Buffer.from(JSON.stringify(httpTriggerEvent));

describe('readEventRequest', () => {
  it('reads the invocation from the built-in context and the environment', () => {
    const { invocation } = readEventRequest(Buffer.from('{"order":1}'), fakeContext, options);
    expect(invocation).toMatchObject({
      requestId: REQUEST_ID,
      functionName: FUNCTION_NAME,
      memoryMB: MEMORY_MB,
      timeoutSeconds: TIMEOUT_SECONDS,
      accountId: ACCOUNT_ID,
      qualifier: 'LATEST',
      logStore: LOG_STORE,
      instanceId: INSTANCE_ID,
      kind: 'invoke',
      tracing: { spanContext: SPAN_CONTEXT, baggage: { 'x-b3-sampled': '1', tenant: 'acme' } },
    });
    expect(invocation.credentials?.securityToken).toBe(FAKE_CREDENTIALS.securityToken);
    expect(invocation.deadline?.remainingMs()).toBeGreaterThan(59_000);
  });

  it('has no session for an event without headers', () => {
    expect(readEventRequest(Buffer.from('{"order":1}'), fakeContext, options).session).toBeUndefined();
  });

  it.each([
    ['a Buffer', eventBuffer],
    ['a string', eventBuffer.toString('utf8')],
    ['a parsed object', httpTriggerEvent],
  ])('reads the session of an HTTP-trigger event given as %s', (_name, event) => {
    const request = readEventRequest(event, fakeContext, options);
    expect(request.invocation.kind).toBe('http');
    expect(request.session).toEqual({ id: SESSION.id, source: 'header', header: SESSION.header });
  });

  it("takes the HTTP event's request id when the context has none", () => {
    const { requestId: _r, ...context } = fakeContext;
    expect(readEventRequest(eventBuffer, context, options).invocation.requestId).toBe(REQUEST_ID);
  });

  it('never throws on odd events and contexts', () => {
    for (const [event, context] of [
      [undefined, undefined],
      [Buffer.from('{"requestContext": broken'), null],
      ['plain text', 5],
      [
        { headers: 'x', requestContext: {} },
        { function: 'x', credentials: [] },
      ],
    ]) {
      const request = readEventRequest(event, context, { env: {} });
      expect(request.invocation.requestId).toBeUndefined();
      expect(request.session).toBeUndefined();
    }
  });
});

describe('wrapHandler', () => {
  it('makes the request current for an async handler and passes arguments and result through', async () => {
    const handler = wrapHandler(async (event: Buffer, context: typeof fakeContext) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return {
        event: JSON.parse(event.toString()).version,
        sameContext: context === fakeContext,
        requestId: currentInvocation()?.requestId,
        session: currentSession()?.id,
      };
    }, options);
    await expect(handler(eventBuffer, fakeContext)).resolves.toEqual({
      event: 'v1',
      sameContext: true,
      requestId: REQUEST_ID,
      session: SESSION.id,
    });
    expect(currentRequest()).toBeUndefined();
  });

  it('keeps a callback-style handler callback-style, arity included', async () => {
    const original = (_event: unknown, _context: unknown, callback: (error: null, result: string) => void) => {
      setTimeout(() => callback(null, currentInvocation()?.requestId ?? 'none'), 1);
    };
    const handler = wrapHandler(original, options);
    expect(handler.length).toBe(3);
    expect(wrapHandler(async (_event: unknown, _context: unknown) => 1).length).toBe(2);
    const result = await new Promise((resolve) =>
      handler(Buffer.from('{}'), fakeContext, (_error, value) => resolve(value)),
    );
    expect(result).toBe(REQUEST_ID);
  });

  it('keeps concurrent invocations apart', async () => {
    const handler = wrapHandler(async (_event: Buffer, _context: { requestId: string }) => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10));
      return currentInvocation()?.requestId;
    }, options);
    const ids = Array.from({ length: 50 }, (_, n) => `1-6745e7a1-00000000-${String(n).padStart(12, '0')}`);
    const results = await Promise.all(
      ids.map((requestId) => handler(Buffer.from('{}'), { ...fakeContext, requestId })),
    );
    expect(results).toEqual(ids);
  });
});

describe('wrapInitializer', () => {
  it('runs the initializer as an initialize invocation', async () => {
    const initializer = wrapInitializer(async (_context: typeof fakeContext) => currentInvocation(), options);
    expect(initializer.length).toBe(1);
    await expect(initializer(fakeContext)).resolves.toMatchObject({ kind: 'initialize', requestId: REQUEST_ID });
  });
});
