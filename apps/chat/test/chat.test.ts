import { fileURLToPath } from 'node:url';
import { type RunningCustomRuntime, startCustomRuntime } from '@fc-sessions/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BUNDLE = fileURLToPath(new URL('../code/index.mjs', import.meta.url));
const HEADER = 'x-chat-session';

describe('apps/chat bundle (code/index.mjs) as FC would run it', () => {
  let runtime: RunningCustomRuntime;
  let base: string;

  beforeAll(async () => {
    runtime = await startCustomRuntime(BUNDLE, {
      FCS_SESSION_HEADER: HEADER,
      FC_INSTANCE_ID: 'c-test-instance',
    });
    base = runtime.url;
  });

  afterAll(async () => {
    await runtime?.stop();
  });

  const invoke = (session: string | undefined, body: string, requestId: string) =>
    fetch(`${base}/invoke`, {
      method: 'POST',
      headers: {
        'x-fc-request-id': requestId,
        'x-fc-control-path': '/invoke',
        ...(session ? { [HEADER]: session } : {}),
      },
      body,
    });

  it('keeps one history per session and reports the ids it read', async () => {
    await invoke('alice', 'hi', '1-aaaa0001-00000000-000000000001');
    await invoke('bob', 'hello', '1-aaaa0002-00000000-000000000002');
    const reply = await (await invoke('alice', 'how are you?', '1-aaaa0003-00000000-000000000003')).json();
    expect(reply).toEqual({
      session: 'alice',
      sessionSource: 'header',
      requestId: '1-aaaa0003-00000000-000000000003',
      instanceId: 'c-test-instance',
      count: 2,
      messages: ['hi', 'how are you?'],
    });
  });

  it('reads without writing on GET and without a session keeps nothing', async () => {
    const read = await (await fetch(`${base}/`, { headers: { [HEADER]: 'bob' } })).json();
    expect(read).toMatchObject({ session: 'bob', count: 1, messages: ['hello'] });
    const anonymous = await (await invoke(undefined, 'lost', '1-aaaa0004-00000000-000000000004')).json();
    expect(anonymous).toMatchObject({ session: null, count: 0, messages: [] });
  });

  it("answers the keeper's keep-alive at once, without adding a message", async () => {
    const alive = await invoke('alice', '{"fcsKeepAlive":true}', '1-aaaa0006-00000000-000000000006');
    expect(alive.status).toBe(204);
    const byHeader = await fetch(`${base}/invoke`, {
      method: 'POST',
      headers: { 'x-fc-request-id': '1-aaaa0007-00000000-000000000007', [HEADER]: 'alice', 'x-fcs-keep-alive': '1' },
    });
    expect(byHeader.status).toBe(204);
    const read = await (await fetch(`${base}/`, { headers: { [HEADER]: 'alice' } })).json();
    expect(read).toMatchObject({ count: 2, messages: ['hi', 'how are you?'] });
  });

  it('refuses a message over 500 characters and other methods, naming the limit', async () => {
    const long = await invoke('alice', 'x'.repeat(501), '1-aaaa0005-00000000-000000000005');
    expect(long.status).toBe(400);
    expect(await long.json()).toEqual({ error: 'message must be at most 500 characters (got 501)' });
    const put = await fetch(`${base}/`, { method: 'PUT', body: 'x' });
    expect(put.status).toBe(405);
  });
});
