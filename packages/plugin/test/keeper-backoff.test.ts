import { FcClient } from '@fc-sessions/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type KeepReport, keepSessions } from '../src/core/keeper.js';
import { activeSessionIds, deployHello, startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { tempDirs } from './helpers/tmp.js';

/** The share of its ceiling each jittered delay of the keeper is drawn at: short waits, and known ones. */
const JITTER = 0.05;
/** Each back-off the keeper asked for: which throttled reconcile in a row, and the ceiling the jitter draws under. */
const backoffs = vi.hoisted(() => [] as { attempt: number; ceilingMs: number }[]);

// The keeper's back-off with a fixed draw; the client's own retries (inside the package) keep theirs.
vi.mock('@fc-sessions/client', async (importOriginal) => {
  const client = await importOriginal<typeof import('@fc-sessions/client')>();
  return {
    ...client,
    backoffDelay: (attempt: number, policy: Parameters<typeof client.backoffDelay>[1]) => {
      backoffs.push({ attempt, ceilingMs: client.backoffDelay(attempt, policy, () => 1) });
      return client.backoffDelay(attempt, policy, () => JITTER);
    },
  };
});

describe('the keeper backs off when FC throttles it (full jitter, capped), and comes back to its interval', () => {
  let emu: TestEmulator;
  let client: FcClient;
  const tmp = tempDirs();
  const INTERVAL_MS = 1000;

  beforeAll(async () => {
    emu = await startTestEmulator();
    await deployHello(emu.client, 'throttled');
    // No retries: a throttled call fails the reconcile's check at once.
    client = new FcClient({ endpoint: emu.emulator.endpoint, credentials: emu.emulator.credentials, retry: false });
  });
  afterAll(async () => {
    client?.close();
    await emu?.stop();
    await tmp.cleanup();
  });

  it('throttled GetSession: each reconcile in a row waits the interval plus a jitter under a ceiling doubling from one interval up to 10, then the interval again', {
    timeout: 20_000,
  }, async () => {
    // Prepare: one session kept, then every GetSession answered 429
    const reports = keepSessions(client, {
      functionNames: ['throttled'],
      count: 1,
      intervalSeconds: INTERVAL_MS / 1000,
      manifestDir: await tmp.make(),
      region: 'cn-hangzhou',
      endpoint: emu.emulator.endpoint,
    });
    const next = async () => (await reports.next()).value as KeepReport;
    const first = await next();
    expect(first).toMatchObject({ active: 1, created: 1, converged: true, throttled: false });
    const kept = await activeSessionIds(emu.client, 'throttled');
    emu.emulator.faults.set({ rules: [{ action: 'GetSession', throttleRate: 1 }] });
    const waitAfter = (report: KeepReport) => Math.max(0, INTERVAL_MS - report.durationMs);

    // Act
    const throttled: KeepReport[] = [];
    for (let round = 0; round < 6; round++) throttled.push(await next());
    emu.emulator.faults.clear();
    const recovered = await next();
    emu.emulator.faults.set({ rules: [{ action: 'GetSession', throttleRate: 1 }] });
    const again = await next();
    emu.emulator.faults.clear();
    const last = await next();
    await reports.return();

    // Assess: every throttled reconcile says so, and keeps the session it could not check (nothing made)
    for (const report of throttled) {
      expect(report).toMatchObject({ throttled: true, converged: false, created: 0 });
      expect(report.failed).toBeGreaterThan(0);
      expect(report.targets[0]?.errors[0]).toMatchObject({ status: 429 });
    }
    // The ceiling doubles per throttled reconcile in a row, past the interval, and stops at 10 intervals
    expect(backoffs.slice(0, 6)).toEqual(
      [1000, 2000, 4000, 8000, 10_000, 10_000].map((ceilingMs, i) => ({ attempt: i + 1, ceilingMs })),
    );
    // The next reconcile starts after the rest of the interval plus the jittered delay
    throttled.forEach((report, i) => {
      const ceiling = backoffs[i]?.ceilingMs as number;
      expect(report.nextInMs).toBe(waitAfter(report) + Math.floor(JITTER * ceiling));
    });
    // Unthrottled: the interval again, and a throttle after it starts the back-off over
    expect(recovered).toMatchObject({ throttled: false, converged: true, active: 1, created: 0, failed: 0 });
    expect(recovered.nextInMs).toBe(waitAfter(recovered));
    expect(recovered.nextInMs).toBeLessThanOrEqual(INTERVAL_MS);
    expect(again.throttled).toBe(true);
    expect(backoffs.slice(6)).toEqual([{ attempt: 1, ceilingMs: INTERVAL_MS }]);
    expect(again.nextInMs).toBe(waitAfter(again) + Math.floor(JITTER * INTERVAL_MS));
    expect(last).toMatchObject({ throttled: false, converged: true, active: 1 });
    expect(last.nextInMs).toBe(waitAfter(last));
    expect(await activeSessionIds(emu.client, 'throttled')).toEqual(kept);
    expect(last.targets[0]?.sessions.map((s) => s.sessionId)).toEqual(kept);
  });
});
