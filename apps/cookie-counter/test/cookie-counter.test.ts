import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BUNDLE = fileURLToPath(new URL('../code/index.mjs', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** Retries until the bundle's server answers (it takes a moment to listen). */
async function get(url: string, init: RequestInit, deadline = Date.now() + 10_000): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if (Date.now() > deadline) throw error;
    await new Promise((resolve) => setTimeout(resolve, 25));
    return get(url, init, deadline);
  }
}

describe('apps/cookie-counter bundle (code/index.mjs) as FC would run it', () => {
  let child: ChildProcess;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [BUNDLE], {
      env: { ...process.env, FC_CUSTOM_LISTEN_PORT: String(port), FCS_LISTEN_HOST: '127.0.0.1', FC_INSTANCE_ID: 'c-1' },
      stdio: 'ignore',
    });
  });

  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  const visit = async (cookie?: string) =>
    (
      await get(`${base}/page?x=1`, {
        headers: { 'x-fc-request-id': '1-bbbb0001-00000000-000000000001', ...(cookie ? { cookie } : {}) },
      })
    ).json();

  it('counts the visits of the session named by the x-fc-cookie-session-id cookie', async () => {
    await visit('theme=dark; x-fc-cookie-session-id=abc123');
    expect(await visit('x-fc-cookie-session-id=abc123')).toEqual({
      path: '/page?x=1',
      session: 'abc123',
      sessionSource: 'cookie',
      requestId: '1-bbbb0001-00000000-000000000001',
      instanceId: 'c-1',
      visits: 2,
    });
    expect(await visit('x-fc-cookie-session-id=other')).toMatchObject({ session: 'other', visits: 1 });
  });

  it('has no session and counts nothing before FC has set the cookie', async () => {
    expect(await visit()).toMatchObject({ session: null, sessionSource: null, visits: 0 });
  });
});
