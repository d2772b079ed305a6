import { FcClient } from '@fc-sessions/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestStore } from '../src/core/manifest.js';
import { prefetchSessions } from '../src/core/prefetch.js';
import { pruneSessions } from '../src/core/prune.js';
import {
  activeSessionIds,
  deployHello,
  holdCreates,
  startTestEmulator,
  type TestEmulator,
  waitFor,
} from './helpers/emulator.js';
import { tempDirs } from './helpers/tmp.js';

describe('exactly N sessions under faults: nothing leaked, nothing doubled, no needless waiting', () => {
  let emu: TestEmulator;
  let client: FcClient;
  const tmp = tempDirs();
  const where = async (functionName: string) => ({
    functionName,
    manifestDir: await tmp.make(),
    region: 'cn-hangzhou',
  });
  const storeOf = (place: { functionName: string; manifestDir: string }) =>
    new ManifestStore(place.manifestDir, {
      region: 'cn-hangzhou',
      functionName: place.functionName,
      qualifier: 'LATEST',
    });

  const clientWith = (maxAttempts: number) =>
    new FcClient({
      endpoint: emu.emulator.endpoint,
      credentials: emu.emulator.credentials,
      retry: { maxAttempts, baseDelayMs: 1, maxDelayMs: 5 },
    });

  beforeAll(async () => {
    emu = await startTestEmulator({ maxInstancesPerFunction: 5 });
    for (const name of ['leak', 'unverified', 'refused', 'unanswered', 'revised', 'resent', 'inflight', 'extras'])
      await deployHello(emu.client, name);
    client = clientWith(10);
  });
  afterAll(async () => {
    client?.close();
    await emu?.stop();
    await tmp.cleanup();
  });

  it('prune keeps a "creating" record whose DeleteSession met 404 only on a retry: its create still lands, and is deleted later', async () => {
    // Prepare: creates held on their way to FC, the run that sent them aborted once all three are out
    const place = await where('leak');
    const held = holdCreates(client);
    const controller = new AbortController();
    const running = prefetchSessions(held.api, { ...place, count: 3, signal: controller.signal, onFailure: 'warn' });
    await waitFor(() => held.asked.length === 3, 10_000, 'the three creates to be sent');
    controller.abort(new Error('killed'));
    await running;
    expect((await storeOf(place).load()).sessions.map((s) => s.state)).toEqual(['creating', 'creating', 'creating']);

    // Act: DeleteSession's first attempts lose their connection, the retries meet 404
    emu.emulator.faults.set({ seed: 3, rules: [{ action: 'DeleteSession', dropRate: 0.7 }] });
    const early = await pruneSessions(client, place);

    // Assess
    expect(early).toMatchObject({ deleted: [], failed: [], complete: false });
    expect(early.pending).toHaveLength(3);
    emu.emulator.faults.clear();
    await held.release();
    expect(await activeSessionIds(emu.client, 'leak')).toHaveLength(3);
    const late = await pruneSessions(client, place);
    expect(late.deleted).toHaveLength(3);
    expect(await activeSessionIds(emu.client, 'leak')).toEqual([]);
    expect((await storeOf(place).load()).sessions).toEqual([]);
  });

  it('an unverified session keeps its slot and is checked again, never replaced', async () => {
    // Prepare
    const place = await where('unverified');
    const first = await prefetchSessions(client, { ...place, count: 3 });
    const ids = first.sessions.map((s) => s.sessionId).sort();

    // Act: GetSession always fails, then fails often
    emu.emulator.faults.set({ rules: [{ action: 'GetSession', unavailableRate: 1 }] });
    const blind = await prefetchSessions(client, { ...place, count: 3, onFailure: 'warn' });
    emu.emulator.faults.set({ seed: 5, rules: [{ action: 'GetSession', unavailableRate: 0.6, dropRate: 0.3 }] });
    const once = clientWith(1);
    const flaky = await prefetchSessions(once, { ...place, count: 3, onFailure: 'warn' }).finally(() => once.close());
    emu.emulator.faults.clear();

    // Assess
    expect(blind).toMatchObject({ complete: false, created: [], failed: [] });
    expect(blind.unverified.map((u) => u.sessionId).sort()).toEqual(ids);
    expect(flaky.created).toEqual([]);
    expect([...flaky.reused, ...flaky.unverified.map((u) => u.sessionId)].sort()).toEqual(ids);
    expect(await activeSessionIds(emu.client, 'unverified')).toEqual(ids);
    const again = await prefetchSessions(client, { ...place, count: 3 });
    expect(again).toMatchObject({ complete: true, created: [] });
    expect((await pruneSessions(client, place)).deleted).toHaveLength(3);
  });

  it('a CreateSession FC answered with an error made nothing: no record is left to settle, prune has nothing pending', async () => {
    // Prepare
    const place = await where('refused');
    emu.emulator.faults.set({ rules: [{ action: 'CreateSession', unavailableRate: 0.5, throttleRate: 0.5 }] });

    // Act
    const result = await prefetchSessions(client, { ...place, count: 3, onFailure: 'warn' });
    emu.emulator.faults.clear();
    const pruned = await pruneSessions(client, place);

    // Assess
    expect(result).toMatchObject({ complete: false, sessions: [] });
    expect(result.failed).toHaveLength(3);
    expect(
      result.failed.every((f) => !f.recorded && ['ResourceThrottled', 'ResourceExhausted'].includes(f.error.code)),
    ).toBe(true);
    expect((await storeOf(place).load()).sessions).toEqual([]);
    expect(pruned).toMatchObject({ deleted: [], pending: [], complete: true });
  });

  it('a CreateSession that got no answer keeps its record: prune waits for it (settleSeconds), prefetch sends that id again', async () => {
    // Prepare
    const place = await where('unanswered');
    emu.emulator.faults.set({ rules: [{ action: 'CreateSession', dropRate: 1 }] });

    // Act
    const twice = clientWith(2);
    const result = await prefetchSessions(twice, { ...place, count: 2, onFailure: 'warn' }).finally(() =>
      twice.close(),
    );
    const recorded = (await storeOf(place).load()).sessions.map((s) => s.sessionId).sort();
    const pruned = await pruneSessions(client, place);
    emu.emulator.faults.clear();
    const again = await prefetchSessions(client, { ...place, count: 2 });

    // Assess
    expect(result.failed.map((f) => f.recorded)).toEqual([true, true]);
    expect(recorded).toHaveLength(2);
    expect(pruned.pending.sort()).toEqual(recorded);
    expect(again.created.sort()).toEqual(recorded);
    expect(await activeSessionIds(emu.client, 'unanswered')).toEqual(recorded);
    expect((await pruneSessions(client, place)).deleted).toHaveLength(2);
  });

  it('sessions of an older function revision are replaced in their slots (onFunctionChange recreate), or kept (keep)', async () => {
    // Prepare
    const place = await where('revised');
    const first = await prefetchSessions(client, { ...place, count: 2 });
    const bad = await prefetchSessions(client, { ...place, count: 2, onFunctionChange: 'bogus' as never }).catch(
      (e: unknown) => e,
    );

    // Act: a description is not what instances run with; an environment variable is
    await emu.client.updateFunction('revised', { description: 'only words' });
    const same = await prefetchSessions(client, { ...place, count: 2 });
    await emu.client.updateFunction('revised', { environmentVariables: { STAGE: 'two' } });
    const kept = await prefetchSessions(client, { ...place, count: 2, onFunctionChange: 'keep' });
    await emu.client.updateFunction('revised', { environmentVariables: { STAGE: 'three' } });
    const replaced = await prefetchSessions(client, { ...place, count: 2 });

    // Assess
    expect(bad).toMatchObject({ code: 'InvalidArgument', field: 'onFunctionChange' });
    const ids = first.sessions.map((x) => x.sessionId);
    expect(same).toMatchObject({ reused: ids, replaced: [], created: [] });
    expect(kept).toMatchObject({ reused: ids, replaced: [], created: [] });
    expect(replaced.replaced.sort()).toEqual([...ids].sort());
    expect(replaced.sessions.map((x) => [x.index, x.reused])).toEqual([
      [0, false],
      [1, false],
    ]);
    expect(await activeSessionIds(emu.client, 'revised')).toEqual(replaced.created.sort());
    expect((await pruneSessions(client, place)).deleted).toHaveLength(2);
  });

  it('a resent create is recorded afresh before it is sent: prune waits the whole settle window from the resend', async () => {
    // Prepare: a `creating` record 1.5 s old (settleSeconds 2) whose first create never landed
    const place = await where('resent');
    const settle = { settleSeconds: 2 };
    const old = { sessionId: 'a'.repeat(32), index: 0, state: 'creating' as const };
    const store = storeOf(place);
    await store.upsert({ ...old, recordedAt: new Date(Date.now() - 1500).toISOString() });
    await store.close();
    const held = holdCreates(client);
    const controller = new AbortController();
    const sentAfter = Date.now();

    // Act: the run resends that id, is killed with the resend in flight; prune comes 0.7 s later
    const running = prefetchSessions(held.api, {
      ...place,
      ...settle,
      count: 1,
      signal: controller.signal,
      onFailure: 'warn',
    });
    await waitFor(() => held.asked.length === 1, 10_000, 'the resend to be sent');
    const recorded = (await storeOf(place).load()).sessions;
    controller.abort(new Error('killed'));
    await running;
    await new Promise((resolve) => setTimeout(resolve, 700));
    const early = await pruneSessions(client, { ...place, ...settle });
    await held.release();

    // Assess: the record was rewritten before the resend went out, so prune kept it and the late session is still recorded
    expect(held.asked).toEqual([old.sessionId]);
    expect(early).toMatchObject({ deleted: [], pending: [old.sessionId] });
    expect(recorded).toHaveLength(1);
    expect(Date.parse(recorded[0]?.recordedAt ?? '')).toBeGreaterThanOrEqual(sentAfter);
    expect(await activeSessionIds(emu.client, 'resent')).toEqual([old.sessionId]);
    expect((await storeOf(place).load()).sessions.map((s) => s.sessionId)).toEqual([old.sessionId]);
    expect((await pruneSessions(client, place)).deleted).toEqual([old.sessionId]);
  });

  it('settleSeconds 0: a create of this run that got no answer keeps its slot (checked again, resent), never refilled', async () => {
    // Prepare: creates take 400 ms at FC, the client gives up after 150 ms
    const place = await where('inflight');
    emu.emulator.faults.set({ rules: [{ action: 'CreateSession', latencyMs: 400 }] });
    const impatient = new FcClient({
      endpoint: emu.emulator.endpoint,
      credentials: emu.emulator.credentials,
      timeoutMs: 150,
      retry: { maxAttempts: 1 },
    });

    // Act
    const result = await prefetchSessions(impatient, {
      ...place,
      count: 1,
      settleSeconds: 0,
      onFailure: 'warn',
    }).finally(() => impatient.close());
    // every create sent has landed (or met the one that did) by now
    await new Promise((resolve) => setTimeout(resolve, 1000));
    emu.emulator.faults.clear();

    // Assess: one session on the server, and it is the one recorded
    const active = await activeSessionIds(emu.client, 'inflight');
    const recorded = (await storeOf(place).load()).sessions.map((s) => s.sessionId);
    expect(active).toHaveLength(1);
    expect(recorded).toEqual(active);
    if (result.complete) expect(result.sessions.map((s) => s.sessionId)).toEqual(active);
    expect(result.expired).toEqual([]);
    expect((await pruneSessions(client, place)).deleted).toEqual(active);
  });

  it('a run that finds more than N live sessions of its own trims the highest slots by default; trim false keeps them and says so', async () => {
    // Prepare
    const place = await where('extras');
    const three = await prefetchSessions(client, { ...place, count: 3 });
    const bySlot = three.sessions.map((s) => s.sessionId);

    // Act
    const kept: string[] = [];
    const untrimmed = await prefetchSessions(client, {
      ...place,
      count: 2,
      trim: false,
      onWarning: (m) => kept.push(m),
    });
    const trimmed = await prefetchSessions(client, { ...place, count: 2 });

    // Assess: trim false reports the extra and warns; by default the highest slot goes
    expect(untrimmed).toMatchObject({ complete: true, trimmed: [], extras: [bySlot[2]] });
    expect(untrimmed.sessions).toHaveLength(3);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toContain('1 beyond count 2');
    expect(trimmed).toMatchObject({ complete: true, trimmed: [bySlot[2]], extras: [] });
    expect(trimmed.sessions.map((s) => s.sessionId)).toEqual(bySlot.slice(0, 2));
    expect(await activeSessionIds(emu.client, 'extras')).toEqual(bySlot.slice(0, 2).sort());
    expect((await storeOf(place).load()).sessions.map((s) => s.sessionId).sort()).toEqual(bySlot.slice(0, 2).sort());
    expect((await pruneSessions(client, place)).deleted).toHaveLength(2);
  });
});
