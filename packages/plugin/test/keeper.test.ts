import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeepReport, keepSessions } from '../src/core/keeper.js';
import { ManifestStore } from '../src/core/manifest.js';
import { activeSessionIds, deployHello, startTestEmulator, type TestEmulator, waitFor } from './helpers/emulator.js';
import { tempDirs } from './helpers/tmp.js';

const N = 3;
const INTERVAL_S = 1;
/** Short session times, so renewals and idle expiry happen within the observation. */
const TIMES = { sessionTTLInSeconds: 6, sessionIdleTimeoutInSeconds: 3, renewBeforeSeconds: 2, graceSeconds: 2 };

describe('keepSessions against the emulator', () => {
  let emu: TestEmulator;
  const tmp = tempDirs();
  const place = async (functionName: string) => ({
    functionNames: [functionName],
    manifestDir: await tmp.make(),
    region: 'cn-hangzhou',
    endpoint: emu.emulator.endpoint,
  });
  const manifestOf = (where: { manifestDir: string; endpoint: string }, functionName: string) =>
    new ManifestStore(where.manifestDir, {
      region: 'cn-hangzhou',
      functionName,
      qualifier: 'LATEST',
      endpoint: where.endpoint,
    }).load();

  beforeAll(async () => {
    emu = await startTestEmulator();
    for (const name of ['kept', 'checked', 'plain']) await deployHello(emu.client, name);
  });
  afterAll(async () => {
    await emu?.stop();
    await tmp.cleanup();
  });

  it('refuses bad options before any call, naming the field', () => {
    const base = { functionNames: ['kept'], count: 1, manifestDir: '/nonexistent', region: 'r' };
    expect(() => keepSessions(emu.client, { ...base, intervalSeconds: 0 })).toThrow(
      /intervalSeconds must be an integer from 1 to 86400; got 0/,
    );
    expect(() => keepSessions(emu.client, { ...base, keepAlive: 'ping' as 'none' })).toThrow(
      /keepAlive must be one of none, invoke/,
    );
    expect(() => keepSessions(emu.client, { ...base, functionNames: [] })).toThrow(
      /functionNames must name at least one function/,
    );
    expect(() => keepSessions(emu.client, { ...base, sessionTTLInSeconds: 60, renewBeforeSeconds: 60 })).toThrow(
      /renewBeforeSeconds must be less than sessionTTLInSeconds \(60\)/,
    );
    // Across settings: each error names the field that was given, its value and the range it may take.
    const refusals: [object, string][] = [
      [{ renewBeforeSeconds: 21_600 }, 'renewBeforeSeconds must be an integer from 0 to 21599'],
      [
        { sessionTTLInSeconds: 200 },
        'sessionTTLInSeconds must be more than renewBeforeSeconds (300, the default), or every session would be renewed as soon as it is made: an integer from 301 to 21600',
      ],
      [
        { intervalSeconds: 600 },
        'intervalSeconds must be at most renewBeforeSeconds (300, the default), or a session can reach the end of its TTL between two reconciles without being renewed: an integer from 1 to 300',
      ],
      [
        { renewBeforeSeconds: 30 },
        'renewBeforeSeconds must be at least intervalSeconds (60, the default), or a session can reach the end of its TTL between two reconciles without being renewed: 0 (never renew) or an integer from 60 to 21599',
      ],
      [
        { renewBeforeSeconds: 120, graceSeconds: 200 },
        'graceSeconds must be at most renewBeforeSeconds (120): a renewed session ends at its TTL, that long after its renewal, so a longer grace is never given: an integer from 0 to 120',
      ],
      [
        { keepAlive: 'invoke', sessionIdleTimeoutInSeconds: 60, intervalSeconds: 60 },
        'intervalSeconds must be less than sessionIdleTimeoutInSeconds (60) with keepAlive invoke, or idle sessions expire between two reconciles: an integer from 1 to 59',
      ],
    ];
    for (const [bad, message] of refusals) {
      expect(() => keepSessions(emu.client, { ...base, ...bad })).toThrow(message);
    }
    // Renewals off: the grace and the interval are not bound by them.
    expect(() =>
      keepSessions(emu.client, { ...base, renewBeforeSeconds: 0, graceSeconds: 900, intervalSeconds: 900 }),
    ).not.toThrow();
  });

  it('over 30 s keeps N Active (never below N longer than one interval), renews before the TTL without cutting a request, ' +
    'keeps idle sessions alive, replaces a session deleted from outside within one interval', {
    timeout: 60_000,
  }, async () => {
    // Prepare: a keeper of 3 sessions with a 6 s TTL and a 3 s idle timeout, one reconcile a second
    const where = await place('kept');
    const controller = new AbortController();
    const reports: KeepReport[] = [];
    const keeper = (async () => {
      const iterator = keepSessions(
        emu.client,
        { ...where, count: N, intervalSeconds: INTERVAL_S, keepAlive: 'invoke', ...TIMES },
        { signal: controller.signal },
      );
      for await (const report of iterator) reports.push(report);
    })();
    await waitFor(async () => (await activeSessionIds(emu.client, 'kept')).length >= N, 10_000);

    // Act: watch the Active count for 30 s; delete a session from outside; call a session about to be renewed
    let belowSince: number | undefined;
    let longestBelow = 0;
    let most = 0;
    const started = Date.now();
    let deleted: { id: string; at: number } | undefined;
    let inFlight: Promise<{ status: number; errorType: string | undefined; text: string }> | undefined;
    let inFlightId: string | undefined;
    while (Date.now() - started < 30_000) {
      const now = Date.now();
      const active = await activeSessionIds(emu.client, 'kept');
      most = Math.max(most, active.length);
      if (active.length < N) belowSince ??= now;
      else if (belowSince !== undefined) {
        longestBelow = Math.max(longestBelow, now - belowSince);
        belowSince = undefined;
      }
      if (!deleted && now - started > 8_000) {
        // Right after a reconcile, so its keep-alive (which would make the id live again) has been sent;
        // a session young enough that the next reconcile finds it gone rather than due for renewal
        // (a renewal frees the slot without checking the old session, and is counted as renewed).
        const youngEnough = (TIMES.sessionTTLInSeconds - TIMES.renewBeforeSeconds - INTERVAL_S - 0.5) * 1000;
        const seen = reports.length;
        await waitFor(() => reports.length > seen, 5_000);
        const victim = (await manifestOf(where, 'kept')).sessions.find(
          (s) => s.state === 'active' && Date.now() - Date.parse(s.createdTime ?? '') < youngEnough,
        );
        if (victim) {
          await emu.client.deleteSession('kept', victim.sessionId);
          deleted = { id: victim.sessionId, at: Date.now() };
        }
      }
      if (!inFlight && now - started > 14_000) {
        // The session closest to its renewal: a 2.5 s request on it must end well even though it is renewed meanwhile.
        const sessions = (await manifestOf(where, 'kept')).sessions.filter((s) => s.state === 'active');
        const oldest = sessions.sort((a, b) => Date.parse(a.createdTime ?? '') - Date.parse(b.createdTime ?? ''))[0];
        if (oldest) {
          inFlightId = oldest.sessionId;
          inFlight = emu.client
            .invoke('kept', { body: 'sleep 2500', session: oldest.sessionId })
            .then((answer) => ({ status: answer.status, errorType: answer.errorType, text: answer.text() }));
        }
      }
      await new Promise((done) => setTimeout(done, 200));
    }
    if (belowSince !== undefined) longestBelow = Math.max(longestBelow, Date.now() - belowSince);
    const answer = await inFlight;
    controller.abort();
    await keeper;

    // Assert
    expect(longestBelow).toBeLessThanOrEqual(INTERVAL_S * 1000 + 700);
    // N plus at most one retiring session per slot (the renewal surge).
    expect(most).toBeLessThanOrEqual(2 * N);
    const total = (key: keyof KeepReport) => reports.reduce((sum, r) => sum + (r[key] as number), 0);
    expect(total('renewed')).toBeGreaterThanOrEqual(N * 3);
    expect(total('retired')).toBeGreaterThanOrEqual(N * 2);
    expect(total('keptAlive')).toBeGreaterThan(0);
    expect(total('replaced')).toBeGreaterThanOrEqual(1);
    const replacedAt = reports.find((r) => r.replaced > 0 && Date.parse(r.startedAt) >= (deleted?.at ?? 0));
    expect(replacedAt && Date.parse(replacedAt.startedAt) - (deleted?.at ?? 0)).toBeLessThanOrEqual(
      INTERVAL_S * 1000 + 300,
    );
    expect(answer).toMatchObject({ status: 200, errorType: undefined });
    expect(JSON.parse(answer?.text ?? '{}')).toMatchObject({ event: 'sleep 2500' });
    const afterCall = (await manifestOf(where, 'kept')).sessions.find((s) => s.sessionId === inFlightId);
    expect(afterCall?.state ?? 'gone').not.toBe('active');
    // Stopped: the sessions stay, the manifest lists every live one (nothing leaked), the lock is gone.
    const manifest = await manifestOf(where, 'kept');
    expect(
      (await activeSessionIds(emu.client, 'kept')).every((id) => manifest.sessions.some((s) => s.sessionId === id)),
    ).toBe(true);
    expect(manifest.sessions.filter((s) => s.state === 'active').length).toBeGreaterThanOrEqual(N);
  });

  it('once: one reconcile, converged, idle sessions left alone with keepAlive none', async () => {
    const where = await place('checked');
    const reports: KeepReport[] = [];
    for await (const r of keepSessions(emu.client, { ...where, count: 2, once: true })) reports.push(r);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ reconcile: 1, desired: 2, active: 2, created: 2, failed: 0, converged: true });
    expect(reports[0]?.nextInMs).toBeUndefined();
    const again: KeepReport[] = [];
    for await (const r of keepSessions(emu.client, { ...where, count: 2, once: true })) again.push(r);
    expect(again[0]).toMatchObject({ active: 2, created: 0, keptAlive: 0, renewed: 0, converged: true });
  });
});
