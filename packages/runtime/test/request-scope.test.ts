import { setTimeout as sleep } from 'node:timers/promises';
import { fc3Headers, SESSION } from '@fc-sessions/testing';
import { describe, expect, it } from 'vitest';
import { currentInvocation, currentRequest, currentSession, readRequest, runWithRequest } from '../src/index.js';

function requestFor(n: number) {
  const requestId = `1-6745e7a1-3c5f1b2d-${n.toString(16).padStart(12, '0')}`;
  return readRequest(
    { ...fc3Headers, 'x-fc-request-id': requestId, [SESSION.header]: `session-${n % 5}` },
    { header: SESSION.header, env: {} },
  );
}

/** Deep in the call stack, after timers, promise chains and callbacks. */
async function handlerBody(n: number): Promise<string[]> {
  const seen = [currentInvocation()?.requestId ?? 'none'];
  await sleep(Math.floor(Math.random() * 15));
  seen.push(currentInvocation()?.requestId ?? 'none');
  await Promise.resolve().then(() => seen.push(currentRequest()?.invocation.requestId ?? 'none'));
  await new Promise<void>((resolve) =>
    setImmediate(() => {
      seen.push(currentSession()?.id === `session-${n % 5}` ? (currentInvocation()?.requestId ?? 'none') : 'wrong');
      resolve();
    }),
  );
  return seen;
}

describe('request scope', () => {
  it('is empty outside a request', () => {
    expect(currentRequest()).toBeUndefined();
    expect(currentInvocation()).toBeUndefined();
    expect(currentSession()).toBeUndefined();
  });

  it('keeps each of many overlapping requests apart', async () => {
    const count = 200;
    const results = await Promise.all(
      Array.from({ length: count }, (_, n) => {
        const request = requestFor(n);
        return runWithRequest(request, () => handlerBody(n)).then((seen) => ({
          expected: request.invocation.requestId,
          seen,
        }));
      }),
    );
    for (const { expected, seen } of results) expect(seen).toEqual([expected, expected, expected, expected]);
    expect(currentRequest()).toBeUndefined();
  });

  it('nests: an inner request shadows the outer one only inside', () => {
    const outer = requestFor(1);
    const inner = requestFor(2);
    runWithRequest(outer, () => {
      runWithRequest(inner, () => expect(currentRequest()).toBe(inner));
      expect(currentRequest()).toBe(outer);
    });
  });

  it('returns what the function returns', () => {
    expect(runWithRequest(requestFor(3), () => 42)).toBe(42);
  });
});
