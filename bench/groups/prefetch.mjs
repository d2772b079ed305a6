// Group "prefetch": the plugin core's prefetchSessions against the emulator with an injected
// CreateSession latency L: wall time over the ideal ceil(N / concurrency) x L.
import { rm } from 'node:fs/promises';
import {
  compare,
  eachLimit,
  info,
  loadOrNotMeasured,
  median,
  notMeasured,
  percentile,
  processCpuMs,
  tempDir,
} from '../lib/harness.mjs';

const GROUP = 'prefetch';

/** [N, concurrency] pairs; concurrency is capped at 64 by the plugin. */
const PLAN = {
  full: {
    latencyMs: 100,
    runs: [
      [10, 1],
      [10, 4],
      [10, 10],
      [100, 4],
      [100, 16],
      [100, 64],
      [1000, 16],
      [1000, 64],
    ],
  },
  quick: {
    latencyMs: 50,
    runs: [
      [10, 4],
      [100, 16],
      [1000, 64],
    ],
  },
};

export async function run({ quick, log }) {
  const loaded = await loadOrNotMeasured(GROUP, '@fc-sessions/plugin or the emulator does not load', async () => {
    await import('@fc-sessions/emulator');
    return { plugin: await import('@fc-sessions/plugin'), emulatorLib: await import('../lib/emulator.mjs') };
  });
  if (loaded.skipped) return loaded.skipped;
  const { emulatorLib } = loaded.value;
  const { prefetchSessions } = loaded.value.plugin;
  if (typeof prefetchSessions !== 'function') {
    return [notMeasured(GROUP, 'whole group', '@fc-sessions/plugin does not export prefetchSessions')];
  }
  const plan = quick ? PLAN.quick : PLAN.full;
  log('prefetch: starting the emulator');
  const emulator = await emulatorLib.startEmulatorProcess();
  try {
    const manifestDir = await tempDir('manifests');
    const setLatency = async (latencyMs) => {
      const response = await fetch(
        `${emulator.endpoint}/_emulator/faults`,
        emulator.admin({
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ rules: latencyMs > 0 ? [{ action: 'CreateSession', latencyMs }] : [] }),
        }),
      );
      if (!response.ok) throw new Error(`setting the emulator's faults answered ${response.status}`);
    };
    const prefetch = (functionName, count, concurrency) =>
      prefetchSessions(emulator.client, {
        functionName,
        count,
        concurrency,
        region: 'cn-hangzhou',
        manifestDir,
        onFailure: 'fail',
      });
    // Between runs the sessions are deleted and the manifest removed directly, so every timed run starts empty.
    const clear = async (result) => {
      await eachLimit(result.sessions, 64, (session) =>
        emulator.client.deleteSession(result.functionName, session.sessionId),
      );
      await rm(result.manifestPath, { force: true });
    };
    const timed = async (functionName, count, concurrency) => {
      const cpu0 = await processCpuMs(emulator.pid);
      const ownCpu0 = process.cpuUsage();
      const t0 = performance.now();
      const result = await prefetch(functionName, count, concurrency);
      const wall = performance.now() - t0;
      const ownCpu = process.cpuUsage(ownCpu0);
      const emulatorCpu = (await processCpuMs(emulator.pid)) - cpu0;
      if (result.created.length !== count)
        throw new Error(`prefetch created ${result.created.length} of ${count} sessions`);
      await clear(result);
      return { wall, emulatorCpu, pluginCpu: (ownCpu.user + ownCpu.system) / 1000 };
    };
    // Starts the instances N sessions need (200 sessions each) so that no timed run waits for one.
    const warm = async (functionName, count) => {
      const ids = [];
      await eachLimit(Array.from({ length: count }), 64, async () => {
        ids.push((await emulator.client.createSession(functionName)).sessionId);
      });
      await eachLimit(ids, 64, (id) => emulator.client.deleteSession(functionName, id));
    };

    const rows = [await emulatorOverhead({ emulator, emulatorLib, setLatency, quick, log })];
    const functions = new Map();
    for (const [count, concurrency] of plan.runs) {
      let functionName = functions.get(count);
      if (!functionName) {
        functionName = `bench-prefetch-${count}`;
        functions.set(count, functionName);
        await emulatorLib.deployEcho(emulator.client, functionName, { sessionsPerInstance: 200 });
        log(`prefetch: warming ${functionName} (its instances start here, not in the timed runs)`);
        await setLatency(0);
        await warm(functionName, count);
      }
      log(`prefetch: N=${count}, concurrency ${concurrency}, L=0 then L=${plan.latencyMs} ms`);
      await setLatency(0);
      const bare = await timed(functionName, count, concurrency);
      await setLatency(plan.latencyMs);
      const ideal = Math.ceil(count / concurrency) * plan.latencyMs;
      const runs = [];
      for (let i = 0; i < repeatsFor(ideal, quick); i++) runs.push(await timed(functionName, count, concurrency));
      const withLatency = medianRun(runs);
      rows.push(
        compare({
          group: GROUP,
          metric: `N=${count}, concurrency ${concurrency}, L=${plan.latencyMs} ms: wall time (median of ${runs.length})`,
          ours: withLatency.wall,
          baseline: { name: `ideal ceil(N/c) x L`, value: ideal },
          unit: 'ms',
          target: { max: 1.15, text: '<= 1.15' },
          note:
            `with L=0 the same run takes ${bare.wall.toFixed(0)} ms (the emulator, client and plugin work alone); ` +
            `CPU used during the run with L: ${withLatency.pluginCpu.toFixed(0)} ms by the plugin and client` +
            (Number.isNaN(withLatency.emulatorCpu) ? '' : `, ${withLatency.emulatorCpu.toFixed(0)} ms by the emulator`),
        }),
      );
    }
    rows.push(await spreadRun({ emulator, emulatorLib, plan, setLatency, prefetch, clear, warm, log }));
    return rows;
  } finally {
    await emulator.stop();
  }
}

/**
 * One run of a prefetch is one sample of a few hundred ms, which a single scheduling hiccup can
 * move by 10%: short runs are repeated five times, longer ones three (once with --quick).
 */
function repeatsFor(idealMs, quick) {
  if (quick) return 1;
  return idealMs <= 1000 ? 5 : 3;
}

/** The run whose wall time is the median (its CPU figures go with it). */
function medianRun(runs) {
  const sorted = [...runs].sort((a, b) => a.wall - b.wall);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** N = 1000 sessions over 10 functions at once: ten prefetches of 100 that share one emulator. */
const SPREAD = { functions: 10, perFunction: 100, concurrency: 16 };

async function spreadRun({ emulator, emulatorLib, plan, setLatency, prefetch, clear, warm, log }) {
  const names = Array.from({ length: SPREAD.functions }, (_, i) => `bench-spread-${i}`);
  log(`prefetch: warming ${names.length} functions for the spread run`);
  await setLatency(0);
  for (const name of names) {
    await emulatorLib.deployEcho(emulator.client, name, { sessionsPerInstance: 200 });
    await warm(name, SPREAD.perFunction);
  }
  const all = async () => {
    const cpu0 = await processCpuMs(emulator.pid);
    const t0 = performance.now();
    const results = await Promise.all(names.map((name) => prefetch(name, SPREAD.perFunction, SPREAD.concurrency)));
    const wall = performance.now() - t0;
    const emulatorCpu = (await processCpuMs(emulator.pid)) - cpu0;
    const created = results.reduce((sum, result) => sum + result.created.length, 0);
    if (created !== names.length * SPREAD.perFunction)
      throw new Error(`the spread prefetch created ${created} of ${names.length * SPREAD.perFunction} sessions`);
    for (const result of results) await clear(result);
    return { wall, emulatorCpu };
  };
  const total = names.length * SPREAD.perFunction;
  log(
    `prefetch: N=${total} over ${names.length} functions at once, concurrency ${SPREAD.concurrency} each, L=0 then L=${plan.latencyMs} ms`,
  );
  const bare = await all();
  await setLatency(plan.latencyMs);
  const ideal = Math.ceil(SPREAD.perFunction / SPREAD.concurrency) * plan.latencyMs;
  const runs = [];
  for (let i = 0; i < repeatsFor(ideal, plan === PLAN.quick); i++) runs.push(await all());
  const withLatency = medianRun(runs);
  await setLatency(0);
  return compare({
    group: GROUP,
    metric: `N=${total} over ${names.length} functions at once (${SPREAD.perFunction} each, concurrency ${SPREAD.concurrency} each), L=${plan.latencyMs} ms: wall time (median of ${runs.length})`,
    ours: withLatency.wall,
    baseline: { name: 'ideal ceil(N/f/c) x L', value: ideal },
    unit: 'ms',
    target: { max: 1.15, text: '<= 1.15' },
    note:
      `${names.length * SPREAD.concurrency} CreateSession calls in flight at once; with L=0 the same run takes ${bare.wall.toFixed(0)} ms` +
      (Number.isNaN(withLatency.emulatorCpu)
        ? ''
        : `; the emulator used ${withLatency.emulatorCpu.toFixed(0)} ms of CPU during the run with L`),
  });
}

/** CreateSession alone against the emulator with no injected latency: what every prefetch call pays. */
async function emulatorOverhead({ emulator, emulatorLib, setLatency, quick, log }) {
  const calls = quick ? 50 : 150;
  log(`prefetch: the emulator's own CreateSession time, ${calls} sequential calls`);
  const functionName = 'bench-overhead';
  await emulatorLib.deployEcho(emulator.client, functionName, { sessionsPerInstance: 200 });
  await setLatency(0);
  await emulator.client.createSession(functionName);
  const samples = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await emulator.client.createSession(functionName);
    samples.push(performance.now() - t0);
  }
  return info({
    group: GROUP,
    metric: `emulator overhead: one CreateSession on a warm instance, L=0 (median of ${calls})`,
    value: median(samples),
    unit: 'ms',
    note: `p99 ${percentile(samples, 99).toFixed(2)} ms; measured with @fc-sessions/client, signing and the local round trip included`,
  });
}
