import { setTimeout as sleep } from 'node:timers/promises';
import { fc3HttpHeaders, SESSION } from '@fc-sessions/testing';
import { describe, expect, it } from 'vitest';
import { wrapFetch } from '../src/fetch.js';
import { currentInvocation, currentRequest, currentSession } from '../src/index.js';

const { host: _host, ...headers } = fc3HttpHeaders;

describe('wrapFetch', () => {
  it('makes the request current and passes extra arguments (env, execution context) and the result through', async () => {
    const env = { DB: 'db' };
    const app = wrapFetch(
      async (request: Request, bindings: typeof env, ctx: { waitUntil(p: Promise<unknown>): void }) => {
        await sleep(1);
        return Response.json({
          path: new URL(request.url).pathname,
          requestId: currentInvocation()?.requestId,
          session: currentSession()?.id,
          bindings,
          hasCtx: typeof ctx.waitUntil === 'function',
        });
      },
      { header: SESSION.header, env: {} },
    );
    const request = new Request('http://127.0.0.1/cart/items', {
      headers: { ...headers, [SESSION.header]: SESSION.id },
    });
    const response = await app(request, env, { waitUntil: () => {} });
    expect(await response.json()).toEqual({
      path: '/cart/items',
      requestId: headers['x-fc-request-id'],
      session: SESSION.id,
      bindings: env,
      hasCtx: true,
    });
    expect(currentRequest()).toBeUndefined();
  });

  it('keeps concurrent requests apart', async () => {
    const app = wrapFetch(async (_request: Request) => {
      await sleep(Math.random() * 10);
      return currentInvocation()?.requestId;
    });
    const ids = Array.from({ length: 50 }, (_, n) => `1-6745e7a1-00000000-${String(n).padStart(12, '0')}`);
    const results = await Promise.all(
      ids.map((id) => app(new Request('http://127.0.0.1/', { headers: { 'x-fc-request-id': id } }))),
    );
    expect(results).toEqual(ids);
  });
});
