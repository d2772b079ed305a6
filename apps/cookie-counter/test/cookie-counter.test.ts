import { fileURLToPath } from 'node:url';
import { type RunningCustomRuntime, startCustomRuntime } from '@fc-sessions/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BUNDLE = fileURLToPath(new URL('../code/index.mjs', import.meta.url));

describe('apps/cookie-counter bundle (code/index.mjs) as FC would run it', () => {
  let runtime: RunningCustomRuntime;
  let base: string;

  beforeAll(async () => {
    runtime = await startCustomRuntime(BUNDLE, { FC_INSTANCE_ID: 'c-1' });
    base = runtime.url;
  });

  afterAll(async () => {
    await runtime?.stop();
  });

  const visit = async (cookie?: string) =>
    (
      await fetch(`${base}/page?x=1`, {
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
