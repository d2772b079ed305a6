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
    for (const name of ['kept', 'checked', 'plain', 'renewed']) await deployHello(emu.client, name);
    // A call naming a deleted session fails instead of making the session again (the emulator, as FC,
    // makes the session a call names), so the renewal test sees a deletion; and room for its long call.
    await emu.client.updateFunction('renewed', {
      timeout: 20,
      sessionAffinityConfig: { affinityHeaderFieldName: 'x-session-id', disableSessionIdReuse: true },
    });
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

  it('over 30 s keeps N Active (never below N longer than one interval), renews before the TTL, ' +
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
    /**
     * The Active sessions at FC, and how many of them hold a slot (recorded `active` in the manifest).
     * The renewal surge is Active too, and would hide a lost session: the count that must not stay
     * below N is of the slot holders (never more than the Active count).
     */
    const look = async () => {
      const holders = new Set(
        (await manifestOf(where, 'kept')).sessions.filter((s) => s.state === 'active').map((s) => s.sessionId),
      );
      const active = await activeSessionIds(emu.client, 'kept');
      return { active: active.length, holding: active.filter((id) => holders.has(id)).length };
    };
    await waitFor(async () => (await look()).holding >= N, 20_000);

    // Act: watch the Active sessions for 30 s; delete a session from outside
    let belowSince: number | undefined;
    let longestBelow = 0;
    let slowestLook = 0;
    let most = 0;
    const started = Date.now();
    /** Sessions deleted from outside, each right after a reconcile (the `next` one is the first to see it gone). */
    const deletions: { id: string; at: number; createdMs: number; next: number }[] = [];
    /** A deletion is conclusive when the next reconcile began after it and ended before the session was due for renewal. */
    const renewableAtMs = (TIMES.sessionTTLInSeconds - TIMES.renewBeforeSeconds) * 1000;
    const conclusive = () =>
      deletions.filter((d) => {
        const next = reports[d.next];
        if (!next) return false;
        const begun = Date.parse(next.startedAt);
        return begun >= d.at && begun + next.durationMs < d.createdMs + renewableAtMs;
      });
    for (let last = Date.now(); Date.now() - started < 30_000; ) {
      const now = Date.now();
      slowestLook = Math.max(slowestLook, now - last);
      last = now;
      const { active, holding } = await look();
      most = Math.max(most, active);
      if (holding < N) belowSince ??= now;
      else if (belowSince !== undefined) {
        longestBelow = Math.max(longestBelow, now - belowSince);
        belowSince = undefined;
      }
      const pending = deletions.some((d) => reports[d.next] === undefined);
      if (now - started > 8_000 && !pending && conclusive().length === 0 && belowSince === undefined) {
        // Right after a reconcile, so its keep-alive (which would make the id live again) has been sent;
        // the youngest session, so the next reconcile finds it gone rather than due for renewal (a renewal
        // frees the slot without checking the old session, and is counted as renewed). A deletion that a
        // slow machine made inconclusive (the next reconcile came too late, or had begun) is made again.
        const seen = reports.length;
        await waitFor(() => reports.length > seen, 20_000, 'the next reconcile');
        const next = reports.length;
        const victim = (await manifestOf(where, 'kept')).sessions
          .filter((s) => s.state === 'active')
          .sort((a, b) => Date.parse(b.createdTime ?? '') - Date.parse(a.createdTime ?? ''))[0];
        if (victim) {
          await emu.client.deleteSession('kept', victim.sessionId);
          deletions.push({
            id: victim.sessionId,
            at: Date.now(),
            createdMs: Date.parse(victim.createdTime ?? ''),
            next,
          });
        }
        // No look was due in this wait: it is not the looks' granularity (none is made while below N, so
        // a period below N never spans it; one that began in it is seen late, i.e. measured shorter).
        last = Date.now();
      }
      await new Promise((done) => setTimeout(done, 200));
    }
    if (belowSince !== undefined) longestBelow = Math.max(longestBelow, Date.now() - belowSince);
    controller.abort();
    await keeper;

    // Assert
    // Every reconcile ended with N sessions in their slots and set the next one at most one interval later.
    expect(reports.every((r) => r.active >= N)).toBe(true);
    expect(reports.slice(0, -1).every((r) => r.nextInMs !== undefined && r.nextInMs <= INTERVAL_S * 1000)).toBe(true);
    // So the count is below N no longer than from the start of a reconcile (a session lost just after it
    // looked) to the end of the next one, as seen by looks that come this far apart: a bound taken from
    // the reconciles as they ran, not from how fast the machine was.
    const slowestRecovery = Math.max(
      ...reports
        .slice(1)
        .map((r, i) => Date.parse(r.startedAt) + r.durationMs - Date.parse(reports[i]?.startedAt ?? r.startedAt)),
    );
    expect(longestBelow).toBeLessThanOrEqual(slowestRecovery + slowestLook);
    // And the README's promise: below N for at most one interval plus one reconcile's time (as seen by
    // looks this far apart).
    const slowestReconcile = Math.max(...reports.map((r) => r.durationMs));
    expect(longestBelow).toBeLessThanOrEqual(INTERVAL_S * 1000 + slowestReconcile + slowestLook);
    // N plus at most one retiring session per slot (the renewal surge).
    expect(most).toBeLessThanOrEqual(2 * N);
    const total = (key: keyof KeepReport) => reports.reduce((sum, r) => sum + (r[key] as number), 0);
    expect(total('renewed')).toBeGreaterThanOrEqual(N * 3);
    expect(total('retired')).toBeGreaterThanOrEqual(N * 2);
    expect(total('keptAlive')).toBeGreaterThan(0);
    // A session deleted from outside is replaced by the next reconcile (due at most one interval later, above).
    expect(conclusive().length).toBeGreaterThan(0);
    for (const d of conclusive())
      expect(reports[d.next]?.replaced, `the reconcile after ${d.id} was deleted`).toBeGreaterThanOrEqual(1);
    // Stopped: the sessions stay, the manifest lists every live one (nothing leaked), the lock is gone.
    const manifest = await manifestOf(where, 'kept');
    expect(
      (await activeSessionIds(emu.client, 'kept')).every((id) => manifest.sessions.some((s) => s.sessionId === id)),
    ).toBe(true);
    expect(manifest.sessions.filter((s) => s.state === 'active').length).toBeGreaterThanOrEqual(N);
  });

  it('renewal never cuts a request in flight: the replacement takes the slot while the old session stays Active until its call returns', {
    timeout: 60_000,
  }, async () => {
    // Prepare: one session with a 12 s TTL, due for renewal at 6 s, deleted 5 s after its slot moved
    // (a grace longer than the 4 s call); a function whose ids cannot be used again, so a call naming
    // a deleted session fails rather than making it again.
    const CALL_MS = 4000;
    const times = { sessionTTLInSeconds: 12, sessionIdleTimeoutInSeconds: 60, renewBeforeSeconds: 6, graceSeconds: 5 };
    expect(times.graceSeconds * 1000).toBeGreaterThan(CALL_MS);
    const where = await place('renewed');
    const controller = new AbortController();
    const reports: KeepReport[] = [];
    const keeper = (async () => {
      const iterator = keepSessions(
        emu.client,
        { ...where, count: 1, intervalSeconds: 1, ...times },
        { signal: controller.signal },
      );
      for await (const report of iterator) reports.push(report);
    })();
    const records = () => manifestOf(where, 'renewed');
    const first = await waitFor(
      async () => (await records()).sessions.find((s) => s.state === 'active' && s.createdTime),
      20_000,
      'the first session',
    );
    // Its instance is started before the long call, so the call takes as long as it asks.
    expect((await emu.client.invoke('renewed', { body: 'warm', session: first.sessionId })).status).toBe(200);
    const dueAt = Date.parse(first.createdTime ?? '') + (times.sessionTTLInSeconds - times.renewBeforeSeconds) * 1000;

    // Act: just before the session is due for renewal, a long call on it; watch it while the call runs
    await new Promise((done) => setTimeout(done, Math.max(0, dueAt - 500 - Date.now())));
    let returnedAt: number | undefined;
    const call = emu.client
      .invoke('renewed', { body: `sleep ${CALL_MS}`, session: first.sessionId })
      .then((answer) => ({ status: answer.status, errorType: answer.errorType, text: answer.text() }))
      .finally(() => {
        returnedAt = Date.now();
      });
    const renewal = await waitFor(
      async () => {
        const { sessions } = await records();
        const old = sessions.find((s) => s.sessionId === first.sessionId);
        const replacement = sessions.find((s) => s.index === first.index && s.state === 'active' && s !== old);
        return old?.state === 'retiring' && replacement ? { old, replacement } : undefined;
      },
      15_000,
      'the replacement in the slot and the old session retiring',
    );
    const pendingAtRenewal = returnedAt === undefined;
    const replacementStatus = (await emu.client.getSession('renewed', renewal.replacement.sessionId)).sessionStatus;
    /** The old session as GetSession saw it, every 100 ms until its call returned. */
    const looks: string[] = [];
    while (returnedAt === undefined) {
      looks.push(
        await emu.client.getSession('renewed', first.sessionId).then(
          (s) => s.sessionStatus ?? 'no status',
          (error: { code?: string }) => error.code ?? String(error),
        ),
      );
      await new Promise((done) => setTimeout(done, 100));
    }
    const answer = await call;
    // Once its grace has passed the keeper deletes it, and a call naming it now fails.
    await waitFor(
      async () => !(await records()).sessions.some((s) => s.sessionId === first.sessionId),
      20_000,
      'the retirement',
    );
    const afterRetirement = await emu.client.invoke('renewed', { body: 'late', session: first.sessionId }).then(
      (a) => `${a.status}`,
      (error: { code?: string }) => error.code ?? String(error),
    );
    controller.abort();
    await keeper;

    // Assert
    // The replacement was made, Active and in the slot, while the call on the old session was still running.
    expect(pendingAtRenewal).toBe(true);
    expect(replacementStatus).toBe('Active');
    // The old session stayed Active, at FC, for as long as the call ran, and the call ended well.
    expect(looks.length).toBeGreaterThan(0);
    expect(looks.filter((status) => status !== 'Active')).toEqual([]);
    expect(answer).toMatchObject({ status: 200, errorType: undefined });
    expect(JSON.parse(answer.text)).toMatchObject({ event: `sleep ${CALL_MS}` });
    // Its grace was longer than the call, as chosen; the keeper deleted it after that, once.
    expect(Date.parse(renewal.old.retireAt ?? '')).toBeGreaterThan(returnedAt ?? Infinity);
    expect(reports.reduce((sum, r) => sum + r.retired, 0)).toBe(1);
    expect(afterRetirement).toBe('InvalidArgument');
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
