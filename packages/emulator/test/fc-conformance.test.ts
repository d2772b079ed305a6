import { fc3Env, fc3Headers, fc3HttpHeaders, httpTriggerEvent } from '@fc-sessions/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploy, httpTrigger, invoke } from './helpers/api.js';
import { startTestEmulator, type TestEmulator, waitFor } from './helpers/emulator.js';
import { CUSTOM_SERVER } from './helpers/functions.js';
import { send } from './helpers/raw.js';

interface Echo {
  headers: Record<string, string>;
  env: Record<string, string>;
}

/** What instances see, compared with the real FC 3.0 header and environment sets in @fc-sessions/testing. */
describe('what an instance receives, against recorded FC 3.0 sets', () => {
  let t: TestEmulator;
  const lines: string[] = [];
  beforeAll(async () => {
    t = await startTestEmulator({ onInstanceLog: (line) => lines.push(line) });
    await deploy(
      t.emulator,
      {
        functionName: 'conformance',
        runtime: 'custom.debian12',
        handler: 'index.handler',
        role: 'acs:ram::1234567890123456:role/fc-role',
        customRuntimeConfig: { command: ['node', 'server.js'] },
      },
      { 'server.js': CUSTOM_SERVER },
    );
    await deploy(
      t.emulator,
      {
        functionName: 'conformance-node',
        runtime: 'nodejs20',
        handler: 'index.handler',
      },
      { 'index.js': 'exports.handler = async (event) => { console.log("EVENT " + event.toString()); return "ok"; };' },
    );
    await httpTrigger(t.emulator, 'conformance');
    await httpTrigger(t.emulator, 'conformance-node');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('sends every header FC 3.0 sends a custom runtime for POST /invoke', async () => {
    const echo = (await invoke(t.emulator, 'conformance', 'x')).json<Echo>();
    expect(Object.keys(echo.headers).sort()).toEqual(expect.arrayContaining(Object.keys(fc3Headers).sort()));
    expect(echo.headers['x-fc-tracing-opentracing-span-context']).toMatch(/^[0-9a-f]{16}:[0-9a-f]{16}:0:1$/);
    const traceId = String(echo.headers['x-fc-request-id']).replaceAll('-', '').slice(-16);
    expect(echo.headers['x-fc-tracing-opentracing-span-context']).toBe(`${traceId}:${traceId}:0:1`);
    expect(echo.headers['x-fc-security-token']).toMatch(/^CAIS/);
  });

  it('sends every header FC 3.0 adds to web traffic', async () => {
    const headers = { 'content-type': 'application/json', accept: '*/*', 'user-agent': 'curl/8.5.0' };
    const response = await send(t.emulator.endpoint, {
      method: 'POST',
      path: '/http/conformance/cart/items',
      headers,
      body: '{}',
    });
    const echo = response.json<Echo>();
    expect(Object.keys(echo.headers).sort()).toEqual(expect.arrayContaining(Object.keys(fc3HttpHeaders).sort()));
    expect(echo.headers['x-fc-base-path']).toBe('/http/conformance');
    expect(echo.headers['x-fc-client-ip']).toBe('127.0.0.1');
  });

  it('gives the instance every FC 3.0 environment variable', async () => {
    const echo = (await invoke(t.emulator, 'conformance', 'x')).json<Echo>();
    expect(Object.keys(echo.env).sort()).toEqual(expect.arrayContaining(Object.keys(fc3Env).sort()));
    expect(echo.env['FC_INSTANCE_ID']).toMatch(/^c-/);
  });

  it('passes the async task id to the instance', async () => {
    const response = await invoke(t.emulator, 'conformance', 'later', {
      'x-fc-invocation-type': 'Async',
      'x-fc-async-task-id': 'nightly_report-42',
    });
    expect(response.status).toBe(202);
    expect(response.headers['x-fc-async-task-id']).toBe('nightly_report-42');
    await waitFor(() => lines.some((line) => line === 'custom got later'), 5000, 'the async invocation to run');
  });

  it('hands built-in runtimes an HTTP-trigger event with the recorded fields', async () => {
    await send(t.emulator.endpoint, {
      method: 'POST',
      path: '/http/conformance-node/cart/items?page=2',
      headers: { 'content-type': 'application/json' },
      body: '{"sku":"a-1"}',
    });
    const line = await waitFor(
      () => lines.find((entry) => entry.includes('EVENT ')),
      5000,
      'the handler to log its event',
    );
    const event = JSON.parse(line.slice(line.indexOf('EVENT ') + 6));
    expect(Object.keys(event).sort()).toEqual(Object.keys(httpTriggerEvent).sort());
    expect(Object.keys(event.requestContext).sort()).toEqual(Object.keys(httpTriggerEvent.requestContext).sort());
    expect(Object.keys(event.requestContext.http).sort()).toEqual(
      Object.keys(httpTriggerEvent.requestContext.http).sort(),
    );
    expect(event).toMatchObject({ rawPath: '/cart/items', queryParameters: { page: '2' } });
    expect(event.requestContext.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});
