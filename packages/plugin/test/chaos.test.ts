import { seededRandom } from '@fc-sessions/internals/seeded-random';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FcClient } from '@fc-sessions/client';
import type { FaultConfig, FaultRule } from '@fc-sessions/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockManifest } from '../src/core/lock.js';
import { type ManifestSession, ManifestStore } from '../src/core/manifest.js';
import { type PrefetchResult, prefetchSessions } from '../src/core/prefetch.js';
import { pruneSessions } from '../src/core/prune.js';
import { activeSessionIds, deployHello, startTestEmulator, type TestEmulator, waitFor } from './helpers/emulator.js';
import { collectOutput } from './helpers/run.js';
import { tempDirs } from './helpers/tmp.js';

// Seeded random schedules of faults (503, 429, dropped connections, latency), aborted and
// concurrent runs in-process, and `kill -9` of real `fcs prefetch` / `fcs prune` processes,
// with the invariants checked after every step and sampled while each step runs. A failing round
// names its seed; run just that round again with FCS_CHAOS_SEED=<seed> FCS_CHAOS_ROUNDS=1
// (FCS_CHAOS_ROUNDS also sets how many rounds run, default 200; every PROCESS_EVERY-th seed uses
// real processes; FCS_CHAOS_REPEAT=<n> plays each round n times, for a failure that replays only
// now and then: see REPLAY).
const FCS = fileURLToPath(new URL('../bin/fcs.cjs', import.meta.url));
const ROUNDS = Number(process.env['FCS_CHAOS_ROUNDS'] ?? 200);
const FIRST_SEED = Number(process.env['FCS_CHAOS_SEED'] ?? 1);
const REPEAT = Number(process.env['FCS_CHAOS_REPEAT'] ?? 1);
const PROCESS_EVERY = 10;
const FUNCTION = 'chaos';
const REGION = 'cn-hangzhou';
/** Longest latency a schedule injects; after faults stop, waiting this long (plus a margin) lets every in-flight request land. */
const MAX_LATENCY_MS = 40;
/** The latency of CreateSession in the rounds that test creates still running during a prune. */
const SLOW_CREATE_MS = 150;
/** How often the sampler compares the server's live sessions with the manifest while a step runs. */
const SAMPLE_MS = 25;
/**
 * Instances started before the first round (and kept: instanceIdleSeconds 600): a round then never
 * waits for an instance to start, so a create lasts its latency (well under the 1 s least
 * settleSeconds of a prune mid-round), and a round replayed alone meets the instances it met in
 * the full run.
 */
const WARM_SESSIONS = 30;
/** What a failing round's replay keeps and what can still differ. */
const REPLAY =
  'a replay plays the same steps and settleSeconds, each action meets the same faults in the same order ' +
  '(one seeded sequence per action and step), and runs are aborted or killed at the same request; ' +
  'what can still differ: which of the concurrent requests of one action comes n-th (so which session meets ' +
  'which fault), session ids, the client backoff jitter, how far a killed process gets between that request ' +
  'and SIGKILL, and timing under load: if one replay passes, add FCS_CHAOS_REPEAT=20';

/** Acts (kill, abort) when the step's nth request reaches the emulator, of `action` or of any action. */
interface Trigger {
  action?: string;
  nth: number;
}

/** settleSeconds of a run: undefined is the default (600 s). */
type Settle = number | undefined;

interface Schedule {
  seed: number;
  count: number;
  rules: FaultRule[];
  steps: Step[];
}

type Step =
  | { kind: 'prefetch'; settleSeconds: Settle }
  | { kind: 'abortedPrefetch'; at: Trigger; settleSeconds: Settle }
  | { kind: 'twoPrefetches' }
  | { kind: 'prune'; settleSeconds: Settle }
  /** Once nothing is in flight, every record is made `seconds` older: the time a settle window counts passes at once. */
  | { kind: 'age'; seconds: number }
  | { kind: 'killedPrefetch'; at: Trigger }
  | { kind: 'killedPrune'; at: Trigger; settleSeconds: Settle }
  | { kind: 'fcsPrefetch'; settleSeconds: Settle }
  | { kind: 'fcsPrune'; settleSeconds: Settle };

function scheduleOf(seed: number, withProcesses: boolean): Schedule {
  const next = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const rate = (max: number) => Math.round(next() * max * 100) / 100;
  const count = 1 + Math.floor(next() * 4);
  const rule = { unavailableRate: rate(0.25), throttleRate: rate(0.15), dropRate: rate(0.15) };
  const rules: FaultRule[] = [{ ...rule, latencyMs: Math.floor(next() * (MAX_LATENCY_MS / 2)) }];
  if (next() < 0.5) {
    rules.push({
      action: pick(['CreateSession', 'GetSession', 'DeleteSession']),
      latencyMs: Math.floor(next() * (MAX_LATENCY_MS / 2)),
      dropRate: rate(0.2),
    });
  }
  // A prune mid-round settles 1 or 2 s (a record whose create is in flight is always younger) or the default.
  const settle = (): Settle => pick([1, 2, undefined]);
  // A prefetch too; 0 only once nothing is in flight (see the step), where a 404 means gone.
  const prefetchSettle = (): Settle => pick([0, 1, 2, undefined, undefined, undefined, undefined, undefined]);
  const anyRequest = (max: number): Trigger => ({ nth: 1 + Math.floor(next() * max) });
  // (An age step waits for the requests in flight: rarer than the others, to keep the suite's time.)
  const inProcess = (): Step =>
    next() < 0.08
      ? { kind: 'age', seconds: 1 + Math.floor(next() * 3) }
      : pick<() => Step>([
          () => ({ kind: 'prefetch', settleSeconds: prefetchSettle() }),
          () => ({ kind: 'abortedPrefetch', at: anyRequest(12), settleSeconds: prefetchSettle() }),
          () => ({ kind: 'twoPrefetches' }),
          () => ({ kind: 'prune', settleSeconds: settle() }),
        ])();
  const processes = (): Step =>
    pick<() => Step>([
      () => ({ kind: 'killedPrefetch', at: anyRequest(12) }),
      () => ({ kind: 'killedPrune', at: anyRequest(6), settleSeconds: settle() }),
      () => ({ kind: 'fcsPrefetch', settleSeconds: prefetchSettle() }),
    ])();
  const steps = Array.from({ length: 2 + Math.floor(next() * 3) }, () =>
    withProcesses && next() < 0.6 ? processes() : inProcess(),
  );
  // Some rounds have slow creates: a run aborted (or, with processes, killed) mid-create, then a
  // prune while those creates are still running (with DeleteSession losing connections), the
  // window where a record can be lost. Half of them age the records and interrupt a second run
  // (one that resends an unanswered create) before the prune, whose settle window is then
  // shorter than the records' first create is old.
  if (next() < (withProcesses ? 0.5 : 0.2)) {
    rules.push(
      { action: 'CreateSession', latencyMs: SLOW_CREATE_MS },
      { action: 'DeleteSession', dropRate: 0.5 + rate(0.4) },
    );
    const midCreate = (): Step => {
      const at = { action: 'CreateSession', nth: 1 + Math.floor(next() * count) };
      return withProcesses && next() < 0.7
        ? { kind: 'killedPrefetch', at }
        : { kind: 'abortedPrefetch', at, settleSeconds: undefined };
    };
    const first = [midCreate()];
    if (next() < 0.5) first.push({ kind: 'age', seconds: 2 + Math.floor(next() * 2) }, midCreate());
    const prune: Step =
      withProcesses && next() < 0.6
        ? { kind: 'fcsPrune', settleSeconds: pick([1, undefined]) }
        : { kind: 'prune', settleSeconds: pick([1, undefined]) };
    steps.unshift(...first, prune);
  }
  return { seed, count, rules, steps };
}

/** The step's own fault sequence (FaultConfig.seed): the same faults whichever steps ran before it. */
function stepFaults(schedule: Schedule, step: number): FaultConfig {
  return { seed: (schedule.seed * 64 + step) >>> 0, rules: schedule.rules };
}

const describeStep = (step: Step): string => {
  const { kind, ...rest } = step;
  const fields = Object.entries(rest).map(([key, value]) => `${key} ${JSON.stringify(value)}`);
  return fields.length > 0 ? `${kind} (${fields.join(', ')})` : kind;
};

describe('chaos: seeded faults, aborted, concurrent and killed runs; exactly N, nothing leaked', () => {
  let emu: TestEmulator;
  let client: FcClient;
  const tmp = tempDirs();
  const children = new Set<ChildProcess>();
  /** The current step's request hook (see Trigger). */
  let onRequest: ((action: string) => void) | undefined;

  beforeAll(async () => {
    emu = await startTestEmulator({ instanceIdleSeconds: 600, onRequest: (action) => onRequest?.(action) });
    await deployHello(emu.client, FUNCTION);
    const warm = await Promise.all(Array.from({ length: WARM_SESSIONS }, () => emu.client.createSession(FUNCTION, {})));
    await Promise.all(warm.map((s) => emu.client.deleteSession(FUNCTION, s.sessionId)));
    client = new FcClient({
      endpoint: emu.emulator.endpoint,
      credentials: emu.emulator.credentials,
      retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 8 },
    });
  });
  afterAll(async () => {
    onRequest = undefined;
    for (const child of children) child.kill('SIGKILL');
    client?.close();
    await emu?.stop();
    await tmp.cleanup();
  });

  /** Calls `act` once, when the step's request named by `at` reaches the emulator. */
  const actAt = (at: Trigger, act: () => void) => {
    let seen = 0;
    onRequest = (action) => {
      if (at.action !== undefined && action !== at.action) return;
      if (++seen !== at.nth) return;
      onRequest = undefined;
      act();
    };
  };

  /** Runs `fcs` against the emulator; `killAt` sends it SIGKILL at that request (if it gets there). */
  const fcs = (cwd: string, args: string[], killAt?: Trigger) =>
    new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [FCS, ...args, '--region', REGION, '--json'], {
        cwd,
        env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...emu.env, FCS_MANIFEST_DIR: cwd },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      children.add(child);
      if (killAt) actAt(killAt, () => child.kill('SIGKILL'));
      const output = collectOutput(child);
      child.once('error', reject);
      child.once('close', (code) => {
        children.delete(child);
        resolve({ code, stdout: output.stdout });
      });
    });
  const settleFlag = (settleSeconds: Settle) =>
    settleSeconds === undefined ? [] : ['--settle-seconds', String(settleSeconds)];

  /** The server's live sessions of the function, read from the emulator in this process (no request, no fault drawn). */
  const liveNow = () =>
    emu.emulator
      .instances()
      .filter((instance) => instance.functionName === FUNCTION)
      .flatMap((instance) => instance.sessions);

  const playRound = async (schedule: Schedule): Promise<void> => {
    const cwd = await tmp.make('fcs-chaos-');
    const place = { functionName: FUNCTION, manifestDir: cwd, region: REGION, endpoint: emu.emulator.endpoint };
    const store = new ManifestStore(cwd, { ...place, qualifier: 'LATEST' });
    const recorded = async () => (await store.load()).sessions;
    const options = { ...place, count: schedule.count, concurrency: 3, timeoutSeconds: 30, onFailure: 'warn' } as const;
    let stepName = 'the start';

    // The sampler: while steps run, every SAMPLE_MS, the server's live sessions, then the manifest
    // on disk, each id live and not recorded is a violation. Both reads are synchronous, in one
    // turn of this process's event loop, which the emulator runs in: the server's sessions cannot
    // change between them, and a session the server has was asked for by a CreateSession sent
    // after its record was on disk (prefetch records an id before it sends its create; a
    // manifest is replaced whole by a rename, so the read sees a whole file). A record is dropped
    // only once its session is deleted or known never to come (a refused create, a 404 outside the
    // settle window), so a live session whose record is gone is one that was lost.
    /** Every record the sampler saw, with when and in which step, to say how old it was when it went. */
    const seen = new Map<string, { record: ManifestSession; atMs: number; step: string }>();
    let violation: string | undefined;
    const readManifest = (): ManifestSession[] => {
      let text: string;
      try {
        text = readFileSync(store.path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      return (JSON.parse(text) as { sessions: ManifestSession[] }).sessions;
    };
    const lastSeen = (id: string): string => {
      const last = seen.get(id);
      if (!last) return `${id} (never seen in the manifest)`;
      const age = (last.atMs - Date.parse(last.record.recordedAt)) / 1000;
      return `${id} (last seen ${last.record.state}, ${age.toFixed(2)} s after its recordedAt, during ${last.step})`;
    };
    const sample = () => {
      if (violation) return;
      const live = liveNow();
      let records: ManifestSession[];
      try {
        records = readManifest();
      } catch (error) {
        violation = `the manifest could not be read during ${stepName}: ${String(error)}`;
        return;
      }
      const now = Date.now();
      for (const record of records) seen.set(record.sessionId, { record, atMs: now, step: stepName });
      const ids = new Set(records.map((r) => r.sessionId));
      const lost = live.filter((id) => !ids.has(id));
      if (lost.length > 0)
        violation = `live sessions no manifest records, seen by the sampler during ${stepName}: ${lost.map(lastSeen).join('; ')}`;
    };
    const sampler = setInterval(sample, SAMPLE_MS);
    const sampled = () => {
      sample();
      if (violation) throw new Error(violation);
    };

    /** With faults off: the server's Active sessions and the manifest's records. */
    const look = async () => {
      emu.emulator.faults.clear();
      const live = await activeSessionIds(emu.client, FUNCTION);
      const records = await recorded();
      return { live, records, ids: records.map((r) => r.sessionId).sort() };
    };
    const noUnrecorded = async (after: string) => {
      sampled();
      const { live, ids } = await look();
      const lost = live.filter((id) => !ids.includes(id));
      expect(lost, `live sessions no manifest records, after ${after}: ${lost.map(lastSeen).join('; ')}`).toEqual([]);
    };
    const exactlyN = async (result: Pick<PrefetchResult, 'complete'>, after: string) => {
      if (!result.complete) return noUnrecorded(after);
      sampled();
      const { live, records, ids } = await look();
      expect(live, `Active sessions after a complete ${after}`).toEqual(ids);
      expect(live, `Active sessions after a complete ${after}`).toHaveLength(schedule.count);
      expect(records.every((r) => r.state === 'active')).toBe(true);
    };
    /**
     * Waits until every request in flight has landed: their latency is out after this wait (a
     * timer set later fires later); a create that needed a new instance also waits for its start.
     */
    const quiesce = async () => {
      const latency = schedule.rules.reduce((sum, rule) => sum + (rule.latencyMs ?? 0), 0);
      await new Promise((resolve) => setTimeout(resolve, latency + 60));
      await waitFor(
        () => emu.emulator.instances().every((instance) => instance.state !== 'starting'),
        30_000,
        'the instances creates in flight wait for',
      );
    };
    /** settleSeconds 0 takes a 404 for gone: true only once no create of an earlier step is in flight. */
    const quietFor = async (settleSeconds: Settle, step: number) => {
      if (settleSeconds !== 0) return;
      emu.emulator.faults.clear();
      await quiesce();
      emu.emulator.faults.set(stepFaults(schedule, step));
    };
    const prefetch = async (settleSeconds: Settle, step: number, signal?: AbortSignal) => {
      await quietFor(settleSeconds, step);
      return prefetchSessions(client, { ...options, settleSeconds, signal });
    };

    try {
      for (const [i, step] of schedule.steps.entries()) {
        stepName = `step ${i + 1}, ${describeStep(step)}`;
        emu.emulator.faults.set(stepFaults(schedule, i));
        try {
          if (step.kind === 'prefetch') {
            const result = await prefetch(step.settleSeconds, i);
            await exactlyN(result, stepName);
          } else if (step.kind === 'abortedPrefetch') {
            const controller = new AbortController();
            await quietFor(step.settleSeconds, i);
            actAt(step.at, () => controller.abort(new Error('chaos abort')));
            await prefetchSessions(client, {
              ...options,
              settleSeconds: step.settleSeconds,
              signal: controller.signal,
            }).catch(() => undefined);
            await noUnrecorded(stepName);
          } else if (step.kind === 'twoPrefetches') {
            const both = await Promise.all([prefetchSessions(client, options), prefetchSessions(client, options)]);
            await exactlyN({ complete: both.every((r) => r.complete) }, stepName);
          } else if (step.kind === 'prune') {
            await pruneSessions(client, { ...place, timeoutSeconds: 30, settleSeconds: step.settleSeconds }).catch(
              () => undefined,
            );
            await noUnrecorded(stepName);
          } else if (step.kind === 'age') {
            emu.emulator.faults.clear();
            await quiesce();
            const lock = await lockManifest(store.path, { timeoutSeconds: 10, onWarning: () => undefined });
            const aging = new ManifestStore(cwd, { ...place, qualifier: 'LATEST' });
            try {
              await aging.load();
              await aging.update((sessions) =>
                sessions.map((s) => ({
                  ...s,
                  recordedAt: new Date(Date.parse(s.recordedAt) - step.seconds * 1000).toISOString(),
                })),
              );
            } finally {
              await aging.close();
              await lock.release();
            }
            await noUnrecorded(stepName);
          } else if (step.kind === 'killedPrefetch') {
            await fcs(cwd, ['prefetch', FUNCTION, '-n', String(schedule.count)], step.at);
            await noUnrecorded(stepName);
          } else if (step.kind === 'killedPrune') {
            await fcs(cwd, ['prune', FUNCTION, ...settleFlag(step.settleSeconds)], step.at);
            await noUnrecorded(stepName);
          } else if (step.kind === 'fcsPrune') {
            await fcs(cwd, ['prune', FUNCTION, ...settleFlag(step.settleSeconds)]);
            await noUnrecorded(stepName);
          } else {
            await quietFor(step.settleSeconds, i);
            const args = ['prefetch', FUNCTION, '-n', String(schedule.count), ...settleFlag(step.settleSeconds)];
            const { code, stdout } = await fcs(cwd, args);
            await exactlyN({ complete: code === 0 && JSON.parse(stdout).complete === true }, stepName);
          }
        } finally {
          onRequest = undefined;
          emu.emulator.faults.clear();
        }
      }

      // Faults stop; once every request in flight has landed, prune with settleSeconds 0 leaves nothing.
      stepName = 'the final prune';
      await quiesce();
      await noUnrecorded('the faults stopped');
      const pruned = await pruneSessions(client, { ...place, settleSeconds: 0 });
      sampled();
      expect(pruned, 'the final prune').toMatchObject({ failed: [], pending: [], complete: true });
      expect(await activeSessionIds(emu.client, FUNCTION), 'sessions left after the final prune').toEqual([]);
      expect(await recorded(), 'records left after the final prune').toEqual([]);
    } finally {
      clearInterval(sampler);
    }
  };

  it(`keeps the invariants over ${ROUNDS} seeded rounds (seeds from ${FIRST_SEED})`, { timeout: 600_000 }, async () => {
    for (let round = 0; round < ROUNDS * REPEAT; round++) {
      const seed = FIRST_SEED + Math.floor(round / REPEAT);
      const schedule = scheduleOf(seed, seed % PROCESS_EVERY === 0);
      try {
        await playRound(schedule);
      } catch (error) {
        // Leave no session behind for the next test, whatever this round left.
        emu.emulator.faults.clear();
        for (const id of await activeSessionIds(emu.client, FUNCTION)) await emu.client.deleteSession(FUNCTION, id);
        const steps = schedule.steps.map(describeStep).join(', ');
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(
          `chaos round with seed ${seed} failed (N=${schedule.count}; ${steps}; faults ${JSON.stringify(schedule.rules)}): ` +
            `${message}\nreproduce: FCS_CHAOS_SEED=${seed} FCS_CHAOS_ROUNDS=1 npx vitest run test/chaos.test.ts\n(${REPLAY})`,
          { cause: error },
        );
      }
    }
  });

  it('two fcs prefetch -n 20 at once under 503s and dropped connections end with exactly 20, all recorded', {
    timeout: 60_000,
  }, async () => {
    const cwd = await tmp.make('fcs-chaos-pair-');
    emu.emulator.faults.set({ seed: 20, rules: [{ unavailableRate: 0.2, dropRate: 0.1 }] });
    let results: { code: number | null; stdout: string }[];
    try {
      results = await Promise.all(
        [0, 1].map(() => fcs(cwd, ['prefetch', FUNCTION, '-n', '20', '--concurrency', '8', '--max-attempts', '10'])),
      );
    } finally {
      emu.emulator.faults.clear();
    }
    const reports = results.map((r) => JSON.parse(r.stdout) as PrefetchResult);
    expect(
      results.map((r) => r.code),
      results.map((r) => r.stdout).join('\n'),
    ).toEqual([0, 0]);
    expect(reports.map((r) => r.complete)).toEqual([true, true]);
    const store = new ManifestStore(cwd, {
      region: REGION,
      functionName: FUNCTION,
      qualifier: 'LATEST',
      endpoint: emu.emulator.endpoint,
    });
    const ids = (await store.load()).sessions.map((x) => x.sessionId).sort();
    expect(ids).toHaveLength(20);
    expect(await activeSessionIds(emu.client, FUNCTION)).toEqual(ids);
    const pruned = await pruneSessions(client, {
      functionName: FUNCTION,
      manifestDir: cwd,
      region: REGION,
      endpoint: emu.emulator.endpoint,
    });
    expect(pruned.deleted).toHaveLength(20);
    expect(await activeSessionIds(emu.client, FUNCTION)).toEqual([]);
  });
});
