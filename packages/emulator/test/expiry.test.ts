import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, deploy, invoke } from './helpers/api.js';
import { startTestEmulator, type TestEmulator, waitFor } from './helpers/emulator.js';
import { NODE_HANDLER } from './helpers/functions.js';

const FN = 'short-lived';
const NAPPER = 'napper';
/** Sleeps for as many milliseconds as the event says. */
const NAP_HANDLER = `exports.handler = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, Number(event.toString())));
  return 'rested';
};`;
const HEADER = 'x-session-id';

describe('session expiry', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startTestEmulator({ sessionSweepIntervalMs: 50, instanceIdleSeconds: 0.3 });
    await deploy(
      t.emulator,
      {
        functionName: FN,
        runtime: 'nodejs20',
        handler: 'index.handler',
        sessionAffinity: 'HEADER_FIELD',
        sessionAffinityConfig: JSON.stringify({ affinityHeaderFieldName: HEADER, sessionConcurrencyPerInstance: 1 }),
      },
      { 'index.js': NODE_HANDLER },
    );
    await deploy(
      t.emulator,
      {
        functionName: NAPPER,
        runtime: 'nodejs20',
        handler: 'index.handler',
        timeout: 10,
        sessionAffinity: 'HEADER_FIELD',
        sessionAffinityConfig: JSON.stringify({ affinityHeaderFieldName: HEADER }),
      },
      { 'index.js': NAP_HANDLER },
    );
  });
  afterAll(async () => {
    await t?.stop();
  });

  const create = async (body: Record<string, unknown>) => {
    const response = await call(t.emulator, 'POST', `/2023-03-30/functions/${FN}/sessions`, 'CreateSession', body);
    expect(response.status).toBe(200);
    return response.json<{ sessionId: string; containerId: string }>();
  };
  const status = async (id: string) => {
    const listed = await call(
      t.emulator,
      'GET',
      `/2023-03-30/functions/${FN}/sessions?sessionId=${id}`,
      'ListSessions',
    );
    return listed.json<{ sessions: Array<{ sessionStatus: string }> }>().sessions[0]?.sessionStatus;
  };

  it('expires at its TTL: Expired in the list, 404 for GetSession, routing stops, the instance is reclaimed', async () => {
    // A 2 s TTL: the call right after the create must still find the session (a 1 s TTL left a loaded machine too little).
    const session = await create({ sessionId: 'ttl-1', sessionTTLInSeconds: 2, sessionIdleTimeoutInSeconds: 0 });
    const inSession = await invoke(t.emulator, FN, 'x', { [HEADER]: 'ttl-1' });
    expect(inSession.headers['x-fc-instance-id']).toBe(session.containerId);
    t.notePids();

    await waitFor(async () => (await status('ttl-1')) === 'Expired', 10_000, 'the TTL to pass');
    const got = await call(t.emulator, 'GET', `/2023-03-30/functions/${FN}/sessions/ttl-1`, 'GetSession');
    expect(got.status).toBe(404);
    await waitFor(
      () => !t.emulator.instances().some((instance) => instance.instanceId === session.containerId),
      10_000,
      'the instance to be reclaimed',
    );

    const reused = await invoke(t.emulator, FN, 'y', { [HEADER]: 'ttl-1' });
    expect(reused.status).toBe(200);
    expect(reused.headers['x-fc-instance-id']).not.toBe(session.containerId);
    expect(await status('ttl-1')).toBe('Active');
  });

  it('expires after its idle timeout unless requests keep it alive', async () => {
    // Calls 0.2 s apart for longer than the 2 s idle timeout: a pause of up to 1.8 s between two of them is allowed.
    const IDLE_S = 2;
    await create({ sessionId: 'idle-1', sessionTTLInSeconds: 60, sessionIdleTimeoutInSeconds: IDLE_S });
    const started = Date.now();
    while (Date.now() - started < IDLE_S * 1000 + 500) {
      await invoke(t.emulator, FN, 'keep alive', { [HEADER]: 'idle-1' });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await status('idle-1')).toBe('Active');
    await waitFor(async () => (await status('idle-1')) === 'Expired', 10_000, 'the idle timeout');
  });

  it('starts the idle clock again when a request ends, not when it began', async () => {
    // Prepare: idle timeout 2 s, and a request that takes 1.5 s
    const created = await call(t.emulator, 'POST', `/2023-03-30/functions/${NAPPER}/sessions`, 'CreateSession', {
      sessionId: 'long-call',
      sessionIdleTimeoutInSeconds: 2,
    });
    expect(created.status).toBe(200);

    // Act: look 2.3 s after the request began (past a clock started then), which is well under 2 s after it ended
    const began = Date.now();
    const answered = await invoke(t.emulator, NAPPER, '1500', { [HEADER]: 'long-call' });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, began + 2300 - Date.now())));

    // Assess
    expect(answered.status).toBe(200);
    const got = await call(t.emulator, 'GET', `/2023-03-30/functions/${NAPPER}/sessions/long-call`, 'GetSession');
    expect(got.json<{ sessionStatus: string }>().sessionStatus).toBe('Active');
  });

  it('stops routing on delete, and refuses a reused id when reuse is disabled', async () => {
    const session = await create({ sessionId: 'once', disableSessionIdReuse: true });
    expect(
      (await call(t.emulator, 'DELETE', `/2023-03-30/functions/${FN}/sessions/once`, 'DeleteSession')).status,
    ).toBe(204);
    expect(
      t.emulator.instances().find((instance) => instance.instanceId === session.containerId)?.sessions ?? [],
    ).not.toContain('once');
    const again = await call(t.emulator, 'POST', `/2023-03-30/functions/${FN}/sessions`, 'CreateSession', {
      sessionId: 'once',
    });
    expect({ status: again.status, code: again.json()['Code'] }).toEqual({ status: 409, code: 'SessionAlreadyExists' });
    const routed = await invoke(t.emulator, FN, 'x', { [HEADER]: 'once' });
    expect(routed.status).toBe(400);
  });

  it('lets an id be reused after delete by default', async () => {
    const first = await create({ sessionId: 'twice' });
    await call(t.emulator, 'DELETE', `/2023-03-30/functions/${FN}/sessions/twice`, 'DeleteSession');
    const second = await create({ sessionId: 'twice' });
    expect(second.sessionId).toBe(first.sessionId);
  });
});
