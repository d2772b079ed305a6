import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploy, httpTrigger } from './helpers/api.js';
import { startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { CUSTOM_SERVER, NODE_HTTP_HANDLER } from './helpers/functions.js';
import { send } from './helpers/raw.js';

describe('the HTTP-trigger route /http/{functionName}/... (functions with an anonymous HTTP trigger)', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startTestEmulator();
    const custom = {
      runtime: 'custom.debian12',
      handler: 'x',
      customRuntimeConfig: { command: ['node', 'server.js'] },
    };
    await deploy(
      t.emulator,
      {
        functionName: 'web-header',
        ...custom,
        sessionAffinity: 'HEADER_FIELD',
        sessionAffinityConfig: JSON.stringify({
          affinityHeaderFieldName: 'x-chat-id',
          sessionConcurrencyPerInstance: 1,
        }),
      },
      { 'server.js': CUSTOM_SERVER },
    );
    await deploy(
      t.emulator,
      {
        functionName: 'web-cookie',
        ...custom,
        sessionAffinity: 'GENERATED_COOKIE',
        sessionAffinityConfig: JSON.stringify({ sessionConcurrencyPerInstance: 1, sessionTTLInSeconds: 900 }),
      },
      { 'server.js': CUSTOM_SERVER },
    );
    await deploy(
      t.emulator,
      { functionName: 'web-node', runtime: 'nodejs20', handler: 'index.handler' },
      { 'index.js': NODE_HTTP_HANDLER },
    );
    for (const name of ['web-header', 'web-cookie', 'web-node']) await httpTrigger(t.emulator, name);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('forwards the request as it came to a custom runtime, unsigned', async () => {
    const response = await send(t.emulator.endpoint, {
      method: 'PUT',
      path: '/http/web-header/items/7?x=1&y=two',
      headers: { 'content-type': 'text/plain', 'x-chat-id': 'chat-1' },
      body: 'hello web',
    });
    expect(response.status).toBe(200);
    expect(response.headers['x-custom']).toBe('yes');
    const answer = response.json<{ method: string; url: string; body: string; headers: Record<string, string> }>();
    expect(answer).toMatchObject({ method: 'PUT', url: '/items/7?x=1&y=two', body: 'hello web' });
    expect(answer.headers).toMatchObject({
      'x-chat-id': 'chat-1',
      'x-fc-control-path': '/http-invoke',
      'x-fc-function-name': 'web-header',
    });
  });

  it('HEADER_FIELD: same header, same instance; no header, a new id in the same header', async () => {
    const first = await send(t.emulator.endpoint, {
      method: 'GET',
      path: '/http/web-header/',
      headers: { 'x-chat-id': 'chat-2' },
    });
    const second = await send(t.emulator.endpoint, {
      method: 'GET',
      path: '/http/web-header/',
      headers: { 'x-chat-id': 'chat-2' },
    });
    expect(second.json()['instanceId']).toBe(first.json()['instanceId']);
    expect(first.headers['x-chat-id']).toBeUndefined();

    const anonymous = await send(t.emulator.endpoint, { method: 'GET', path: '/http/web-header/' });
    const generated = anonymous.headers['x-chat-id'];
    expect(generated).toMatch(/^[0-9a-f]{32}$/);
    expect(anonymous.json()['instanceId']).not.toBe(first.json()['instanceId']);
    const back = await send(t.emulator.endpoint, {
      method: 'GET',
      path: '/http/web-header/',
      headers: { 'x-chat-id': String(generated) },
    });
    expect(back.json()['instanceId']).toBe(anonymous.json()['instanceId']);
  });

  it('GENERATED_COOKIE: Set-Cookie when absent, the cookie routes back to the same instance', async () => {
    const first = await send(t.emulator.endpoint, { method: 'GET', path: '/http/web-cookie/page' });
    const setCookie = String(first.headers['set-cookie']);
    const match = /^x-fc-cookie-session-id=([0-9a-f]{32}); Max-Age=900$/.exec(setCookie);
    expect(match).not.toBeNull();
    const cookie = `theme=dark; x-fc-cookie-session-id=${match![1]}`;
    for (let i = 0; i < 3; i++) {
      const next = await send(t.emulator.endpoint, {
        method: 'GET',
        path: '/http/web-cookie/page',
        headers: { cookie },
      });
      expect(next.headers['set-cookie']).toBeUndefined();
      expect(next.json()['instanceId']).toBe(first.json()['instanceId']);
    }
    const stranger = await send(t.emulator.endpoint, { method: 'GET', path: '/http/web-cookie/page' });
    expect(stranger.json()['instanceId']).not.toBe(first.json()['instanceId']);
  });

  it('gives a nodejs function the v1 event and maps its {statusCode, headers, body}', async () => {
    const response = await send(t.emulator.endpoint, {
      method: 'POST',
      path: '/http/web-node/api/echo?q=1',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(response.status).toBe(201);
    expect(response.headers['x-handler']).toBe('node');
    expect(response.json()).toMatchObject({
      path: '/api/echo',
      method: 'POST',
      query: { q: '1' },
      body: '{"a":1}',
      version: 'v1',
    });
  });

  it("answers with the body's own content-length, whatever length the function's headers claim", async () => {
    await deploy(
      t.emulator,
      { functionName: 'web-node-length', runtime: 'nodejs20', handler: 'index.handler' },
      {
        'index.js':
          "exports.handler = async () => ({ statusCode: 200, headers: { 'Content-Length': '999', 'x-handler': 'node' }, body: 'short' });",
      },
    );
    await httpTrigger(t.emulator, 'web-node-length');
    const response = await send(t.emulator.endpoint, { method: 'GET', path: '/http/web-node-length/' });
    expect(response.status).toBe(200);
    expect(response.headers['content-length']).toBe('5');
    expect(response.headers['x-handler']).toBe('node');
    expect(response.body.toString()).toBe('short');
  });

  it('answers 404 for an unknown function', async () => {
    const response = await send(t.emulator.endpoint, { method: 'GET', path: '/http/missing/' });
    expect(response.status).toBe(404);
    expect(response.json()['Code']).toBe('FunctionNotFound');
  });
});
