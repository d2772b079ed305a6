import { FcClient } from '@fc-sessions/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeepReport, keepSessions } from '../src/core/keeper.js';
import { PrefetchError, prefetchSessions, type SessionApi } from '../src/core/prefetch.js';
import { activeSessionIds, deployHello, startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { tempDirs } from './helpers/tmp.js';

describe('a trim whose DeleteSession fails: reported, never converged, and forgotten once it succeeds', () => {
  let emu: TestEmulator;
  let client: FcClient;
  const tmp = tempDirs();
  const where = async (functionName: string) => ({
    functionName,
    manifestDir: await tmp.make(),
    region: 'cn-hangzhou',
    endpoint: emu.emulator.endpoint,
  });
  const failDeletes = () => emu.emulator.faults.set({ rules: [{ action: 'DeleteSession', unavailableRate: 1 }] });

  beforeAll(async () => {
    emu = await startTestEmulator({ maxInstancesPerFunction: 5 });
    for (const name of ['warned', 'thrown', 'kept', 'retried']) await deployHello(emu.client, name);
    client = new FcClient({
      endpoint: emu.emulator.endpoint,
      credentials: emu.emulator.credentials,
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
    });
  });
  afterAll(async () => {
    emu?.emulator.faults.clear();
    client?.close();
    await emu?.stop();
    await tmp.cleanup();
  });

  it('prefetch: the extra left is in failed with its id and the 503, and the run is incomplete', async () => {
    // Prepare: three sessions, then every DeleteSession answers 503
    const place = await where('warned');
    const bySlot = (await prefetchSessions(client, { ...place, count: 3 })).sessions.map((s) => s.sessionId);
    failDeletes();

    // Act
    const warnings: string[] = [];
    const result = await prefetchSessions(client, {
      ...place,
      count: 2,
      onFailure: 'warn',
      onWarning: (m) => warnings.push(m),
    }).finally(() => emu.emulator.faults.clear());

    // Assess
    expect(result).toMatchObject({ complete: false, trimmed: [], extras: [bySlot[2]] });
    expect(result.failed).toEqual([
      expect.objectContaining({ sessionId: bySlot[2], index: 2, action: 'trim', recorded: true }),
    ]);
    expect(result.failed[0]?.error.status).toBe(503);
    expect(warnings.join('\n')).toContain(bySlot[2]);
    expect(await activeSessionIds(emu.client, 'warned')).toHaveLength(3);
  });

  it("prefetch with onFailure 'fail': the error names the DeleteSession's 503", async () => {
    const place = await where('thrown');
    const bySlot = (await prefetchSessions(client, { ...place, count: 3 })).sessions.map((s) => s.sessionId);
    failDeletes();

    const error = await prefetchSessions(client, { ...place, count: 2, onWarning: () => {} })
      .finally(() => emu.emulator.faults.clear())
      .then(
        () => undefined,
        (e: unknown) => e,
      );

    expect(error).toBeInstanceOf(PrefetchError);
    const message = (error as PrefetchError).message;
    expect(message).toContain('reached 3 of 2 sessions (1 failed, 1 extra not trimmed)');
    expect(message).toContain(`DeleteSession of extra ${bySlot[2]}: `);
    expect(message).toContain('(HTTP 503)');
    expect((error as PrefetchError).result.failed.map((f) => f.sessionId)).toEqual([bySlot[2]]);
  });

  it('keeper (once): an extra it could not trim is a failure, and the reconcile is not converged', async () => {
    const place = await where('kept');
    const { functionName, ...location } = place;
    const first: KeepReport[] = [];
    for await (const r of keepSessions(client, { ...location, functionNames: [functionName], count: 3, once: true }))
      first.push(r);
    expect(first[0]).toMatchObject({ active: 3, converged: true });
    failDeletes();

    const reports: KeepReport[] = [];
    try {
      for await (const r of keepSessions(client, {
        ...location,
        functionNames: [functionName],
        count: 2,
        once: true,
        onWarning: () => {},
      }))
        reports.push(r);
    } finally {
      emu.emulator.faults.clear();
    }

    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ desired: 2, active: 3, converged: false });
    expect(reports[0]?.failed).toBeGreaterThan(0);
    expect(reports[0]?.targets[0]?.errors[0]?.status).toBe(503);

    // Once DeleteSession answers again, the next reconcile trims and converges.
    const after: KeepReport[] = [];
    for await (const r of keepSessions(client, { ...location, functionNames: [functionName], count: 2, once: true }))
      after.push(r);
    expect(after[0]).toMatchObject({ active: 2, failed: 0, converged: true });
  });

  it('a trim that fails in one round and succeeds in a later one leaves no failure behind', async () => {
    // Prepare: four sessions; in the next run slot 0's first GetSession fails (unverified: the run
    // makes a second round) and the first DeleteSession, round 0's trim of slot 3, fails
    const place = await where('retried');
    const bySlot = (await prefetchSessions(client, { ...place, count: 4 })).sessions.map((s) => s.sessionId);
    let checkFails = true;
    let deleteFails = true;
    const flaky: SessionApi = {
      getFunction: (...args) => client.getFunction(...args),
      createSession: (...args) => client.createSession(...args),
      getSession: async (functionName, sessionId, options) => {
        if (checkFails && sessionId === bySlot[0]) {
          checkFails = false;
          throw new Error('GetSession: no answer');
        }
        return client.getSession(functionName, sessionId, options);
      },
      deleteSession: async (...args) => {
        if (deleteFails) {
          deleteFails = false;
          throw new Error('DeleteSession: no answer');
        }
        return client.deleteSession(...args);
      },
    };

    const result = await prefetchSessions(flaky, { ...place, count: 2, onFailure: 'warn' });

    expect(deleteFails).toBe(false);
    expect(result).toMatchObject({ complete: true, failed: [], extras: [], unverified: [] });
    expect(result.trimmed.sort()).toEqual([bySlot[2], bySlot[3]].sort());
    expect(result.sessions.map((s) => s.sessionId)).toEqual(bySlot.slice(0, 2));
    expect(await activeSessionIds(emu.client, 'retried')).toEqual(bySlot.slice(0, 2).sort());
  });
});
