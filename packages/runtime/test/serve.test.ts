import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fc3Headers, fc3HttpHeaders, REQUEST_ID, SESSION } from '@fc-sessions/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { currentInvocation, currentSession, type FcRequest } from '../src/index.js';
import { type FcServer, type ServeOptions, serve } from '../src/serve.js';
import { send } from './http.js';

let running: FcServer | undefined;
let lines: string[] = [];

async function start(options: Partial<ServeOptions>): Promise<string> {
  lines = [];
  running = await serve({
    host: '127.0.0.1',
    port: 0,
    handleSignals: false,
    header: SESSION.header,
    env: {},
    log: (line) => lines.push(line),
    ...options,
  } as ServeOptions);
  return running.url;
}

afterEach(async () => {
  await running?.close();
  running = undefined;
});

function idFor(n: number) {
  return `1-6745e7a1-00000000-${String(n).padStart(12, '0')}`;
}

describe('serve: event invocations', () => {
  it('answers POST /invoke with the handler result, x-fc-status 200 and the log markers', async () => {
    const url = await start({
      invoke: (event, request) => ({ event: event.toString(), requestId: request.invocation.requestId }),
    });
    const reply = await send(url, { method: 'POST', path: '/invoke', headers: fc3Headers, body: '{"order":1}' });
    expect(reply.status).toBe(200);
    expect(reply.headers['x-fc-status']).toBe('200');
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.body)).toEqual({ event: '{"order":1}', requestId: REQUEST_ID });
    expect(lines).toEqual([`FC Invoke Start RequestId: ${REQUEST_ID}`, `FC Invoke End RequestId: ${REQUEST_ID}`]);
  });

  it.each([
    ['a string', 'plain', 'text/plain; charset=utf-8', 'plain'],
    ['a Buffer', Buffer.from('bytes'), 'application/octet-stream', 'bytes'],
    ['undefined', undefined, undefined, ''],
    ['an array', [1, 2], 'application/json', '[1,2]'],
  ])('sends %s as it is', async (_name, result, type, body) => {
    const url = await start({ invoke: () => result });
    const reply = await send(url, { method: 'POST', path: '/invoke', headers: fc3Headers });
    expect(reply.headers['content-type']).toBe(type);
    expect(reply.body).toBe(body);
  });

  it("reports a thrown error with x-fc-status 404 and FC's error body, logged under the request id", async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const url = await start({
      invoke: async () => {
        throw new TypeError('cart is empty');
      },
    });
    const reply = await send(url, { method: 'POST', path: '/invoke', headers: fc3Headers });
    expect(reply.status).toBe(404);
    expect(reply.headers['x-fc-status']).toBe('404');
    const body = JSON.parse(reply.body);
    expect(body).toMatchObject({ errorMessage: 'cart is empty', errorType: 'TypeError' });
    expect(body.stackTrace[0]).toMatch(/^at /);
    expect(String(stderr.mock.calls[0]?.[0])).toMatch(
      new RegExp(`^\\S+Z ${REQUEST_ID} \\[ERROR\\] TypeError: cart is empty`),
    );
    expect(lines).toHaveLength(2);
  });

  it('keeps overlapping invocations apart', async () => {
    const url = await start({
      invoke: async () => {
        await sleep(Math.random() * 20);
        return { requestId: currentInvocation()?.requestId };
      },
    });
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, n) =>
        send(url, { method: 'POST', path: '/invoke', headers: { ...fc3Headers, 'x-fc-request-id': idFor(n) } }),
      ),
    );
    for (const [n, reply] of replies.entries()) expect(JSON.parse(reply.body)).toEqual({ requestId: idFor(n) });
  });

  it('routes by path when FC headers are missing (local calls)', async () => {
    const url = await start({ invoke: (event) => `echo ${event.toString()}` });
    const reply = await send(url, { method: 'POST', path: '/invoke', body: 'hi' });
    expect(reply.body).toBe('echo hi');
    expect(lines).toEqual([]);
  });
});

describe('serve: lifecycle hooks', () => {
  it('runs the initializer for /initialize and marks it as such', async () => {
    const seen: FcRequest[] = [];
    const url = await start({ invoke: () => 'ok', initialize: (request) => void seen.push(request) });
    const headers = { ...fc3Headers, 'x-fc-control-path': '/initialize' };
    const reply = await send(url, { method: 'POST', path: '/initialize', headers });
    expect([reply.status, reply.headers['x-fc-status']]).toEqual([200, '200']);
    expect(seen[0]?.invocation.kind).toBe('initialize');
    expect(lines).toEqual([
      `FC Initialize Start RequestId: ${REQUEST_ID}`,
      `FC Initialize End RequestId: ${REQUEST_ID}`,
    ]);
  });

  it('runs preStop for GET /pre-stop', async () => {
    const seen: FcRequest[] = [];
    const url = await start({ invoke: () => 'ok', preStop: (request) => void seen.push(request) });
    const { 'x-fc-control-path': _path, ...headers } = fc3Headers;
    const reply = await send(url, { path: '/pre-stop', headers });
    expect(reply.headers['x-fc-status']).toBe('200');
    expect(seen[0]?.invocation.kind).toBe('pre-stop');
    expect(lines[0]).toBe(`FC PreStop Start RequestId: ${REQUEST_ID}`);
  });

  it('routes by path without a control path and keeps every fact of the invocation', async () => {
    const seen: FcRequest[] = [];
    const env = { FC_INSTANCE_ID: 'c-path-1', FC_FUNCTION_VERSION: 'LATEST' };
    const url = await start({ env, invoke: () => 'ok', initialize: (request) => void seen.push(request) });
    const { 'x-fc-control-path': _path, ...headers } = fc3Headers;
    await send(url, { method: 'POST', path: '/initialize', headers });
    expect(seen[0]?.invocation).toMatchObject({
      kind: 'initialize',
      requestId: REQUEST_ID,
      instanceId: 'c-path-1',
      versionId: 'LATEST',
      tracing: { baggage: { tenant: 'acme' } },
    });
  });

  it('answers lifecycle calls it has no hook for with success', async () => {
    const url = await start({ invoke: () => 'ok' });
    const reply = await send(url, { method: 'POST', path: '/initialize', body: 'ignored' });
    expect([reply.status, reply.headers['x-fc-status']]).toEqual([200, '200']);
  });

  it('reports a failing initializer with x-fc-status 404', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const url = await start({
      invoke: () => 'ok',
      initialize: () => {
        throw new Error('no database');
      },
    });
    const reply = await send(url, { method: 'POST', path: '/initialize' });
    expect([reply.status, reply.headers['x-fc-status'], JSON.parse(reply.body).errorMessage]).toEqual([
      404,
      '404',
      'no database',
    ]);
  });
});

describe('serve: web traffic', () => {
  const webHeaders = { ...fc3HttpHeaders, [SESSION.header]: SESSION.id };

  it('hands /http-invoke requests to a Node listener inside the request scope, whatever their path', async () => {
    const url = await start({
      invoke: () => 'event',
      http: (req, res) => {
        req.resume();
        req.on('end', () => {
          res.setHeader('set-cookie', ['a=1', 'b=2']);
          res.end(JSON.stringify({ path: req.url, session: currentSession()?.id, kind: currentInvocation()?.kind }));
        });
      },
    });
    const reply = await send(url, { method: 'POST', path: '/invoke?x=1', headers: webHeaders, body: 'x' });
    expect(JSON.parse(reply.body)).toEqual({ path: '/invoke?x=1', session: SESSION.id, kind: 'http' });
    expect(reply.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(lines).toEqual([`FC Invoke Start RequestId: ${REQUEST_ID}`, `FC Invoke End RequestId: ${REQUEST_ID}`]);
  });

  it('hands web requests to a fetch handler, streaming bodies both ways', async () => {
    const url = await start({
      fetch: async (request) => {
        const body = await request.text();
        const headers = new Headers({ 'content-type': 'application/json' });
        headers.append('set-cookie', 'a=1');
        headers.append('set-cookie', 'b=2');
        const answer = {
          method: request.method,
          url: request.url,
          body,
          session: currentSession()?.id,
          requestId: currentInvocation()?.requestId,
        };
        return new Response(JSON.stringify(answer), { status: 201, headers });
      },
    });
    const reply = await send(url, {
      method: 'PUT',
      path: '/cart/items?page=2',
      headers: webHeaders,
      body: '{"sku":"a-1"}',
    });
    expect(reply.status).toBe(201);
    expect(reply.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(JSON.parse(reply.body)).toEqual({
      method: 'PUT',
      url: `http://${new URL(url).host}/cart/items?page=2`,
      body: '{"sku":"a-1"}',
      session: SESSION.id,
      requestId: REQUEST_ID,
    });
  });

  it('sends event invocations to the web handler when there is no invoke handler', async () => {
    const url = await start({ fetch: (request) => new Response(`web saw ${new URL(request.url).pathname}`) });
    const reply = await send(url, { method: 'POST', path: '/invoke', headers: fc3Headers, body: 'x' });
    expect(reply.body).toBe('web saw /invoke');
  });

  it('answers web traffic without a web handler with 404 and x-fc-status 404', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const url = await start({ invoke: () => 'event' });
    const reply = await send(url, { path: '/cart', headers: fc3HttpHeaders });
    expect([reply.status, reply.headers['x-fc-status']]).toEqual([404, '404']);
  });

  it('answers a failing web handler with 500 and x-fc-status 404', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const url = await start({
      fetch: async () => {
        throw new Error('route crashed');
      },
    });
    const reply = await send(url, { path: '/cart', headers: fc3HttpHeaders });
    expect([reply.status, reply.headers['x-fc-status']]).toEqual([500, '404']);
    expect(JSON.parse(reply.body).errorMessage).toBe('route crashed');
  });
});

const badOptions: Array<[Record<string, unknown>, string]> = [
  [{}, 'serve: give at least one handler: invoke, http or fetch'],
  [{ http: () => {}, fetch: () => new Response() }, 'serve: give either http or fetch for web traffic, not both'],
  [{ invoke: 'handler' }, 'serve: invoke must be a function (got string)'],
  [{ invoke: () => 1, port: 70000 }, 'serve: port must be an integer from 0 to 65535 (got 70000)'],
  [{ invoke: () => 1, port: 1.5 }, 'serve: port must be an integer from 0 to 65535 (got 1.5)'],
  [
    { invoke: () => 1, env: { FC_CUSTOM_LISTEN_PORT: 'ninety' } },
    'serve: FC_CUSTOM_LISTEN_PORT must be an integer from 0 to 65535 (got "ninety")',
  ],
];

describe('serve: options and lifecycle', () => {
  it.each(badOptions)('rejects bad options %#', async (options, message) => {
    await expect(serve(options as unknown as ServeOptions)).rejects.toThrow(message);
  });

  it('takes port and host from FC_CUSTOM_LISTEN_PORT and FCS_LISTEN_HOST', async () => {
    running = await serve({
      invoke: () => 'ok',
      handleSignals: false,
      env: { FC_CUSTOM_LISTEN_PORT: '0', FCS_LISTEN_HOST: '127.0.0.1' },
    });
    expect(running.host).toBe('127.0.0.1');
    expect(running.port).toBeGreaterThan(0);
    expect(running.url).toBe(`http://127.0.0.1:${running.port}`);
  });

  it('rejects with the address when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      await expect(serve({ invoke: () => 1, host: '127.0.0.1', port, handleSignals: false })).rejects.toThrow(
        `serve: cannot listen on 127.0.0.1:${port}`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('close() lets running requests finish, refuses new ones, and closes kept-alive connections', async () => {
    let release: () => void = () => {};
    let started: () => void = () => {};
    const inFlight = new Promise<void>((resolve) => {
      started = resolve;
    });
    const url = await start({
      invoke: async (event) => {
        if (event.toString() === 'slow') {
          started();
          await new Promise<void>((resolve) => {
            release = resolve;
          });
        }
        return 'done';
      },
    });
    expect(await (await fetch(`${url}/invoke`, { method: 'POST', body: 'fast' })).text()).toBe('done');
    const slow = send(url, { method: 'POST', path: '/invoke', body: 'slow' });
    await inFlight;
    const closed = running!.close();
    await expect(send(url, { method: 'POST', path: '/invoke', body: 'late' })).rejects.toThrow();
    release();
    expect((await slow).body).toBe('done');
    await closed;
    running = undefined;
  });
});

describe('serve: behind the fc-sessions emulator', () => {
  it('refuses requests without $FCS_INSTANCE_SECRET in x-fcs-instance-secret, and hides it from handlers', async () => {
    const seen: Array<string | null> = [];
    const url = await start({
      env: { FCS_INSTANCE_SECRET: 'only-the-emulator-knows' },
      invoke: () => 'event ok',
      fetch: (request) => {
        seen.push(request.headers.get('x-fcs-instance-secret'));
        return new Response('web ok');
      },
    });
    const direct = await send(url, { method: 'POST', path: '/invoke', headers: fc3Headers, body: 'x' });
    expect(direct.status).toBe(403);
    expect(JSON.parse(direct.body)).toMatchObject({ errorType: 'AccessDenied' });
    const wrong = { ...fc3HttpHeaders, 'x-fcs-instance-secret': 'guess-guess-guess-guess' };
    expect((await send(url, { path: '/web', headers: wrong })).status).toBe(403);

    const secret = { 'x-fcs-instance-secret': 'only-the-emulator-knows' };
    expect((await send(url, { method: 'POST', path: '/invoke', headers: { ...fc3Headers, ...secret } })).body).toBe(
      'event ok',
    );
    const web = await send(url, { path: '/web', headers: { ...fc3HttpHeaders, ...secret } });
    expect(web.body).toBe('web ok');
    expect(seen).toEqual([null]);
  });
});
