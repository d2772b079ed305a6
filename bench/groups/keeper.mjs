// Group "keeper": one reconcile of the plugin's keepSessions on a function already at N sessions
// (the steady state: every session checked, nothing to create), per session, against the emulator.
import { compare, info, loadOrNotMeasured, median, notMeasured, tempDir } from '../lib/harness.mjs';

const GROUP = 'keeper';

/** `warmSessions`: before the timed rounds, untimed ones until about this many sessions were checked by each side. */
const PLAN = {
  full: { counts: [10, 100], rounds: 15, warmSessions: 1000 },
  quick: { counts: [10, 100], rounds: 5, warmSessions: 200 },
};

/** The client with a count of the calls made through it, by method name. */
function counting(client) {
  const calls = new Map();
  const proxy = new Proxy(client, {
    get(target, name) {
      const value = Reflect.get(target, name);
      if (typeof value !== 'function') return value;
      return (...args) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  });
  return { client: proxy, calls };
}

export async function run({ quick, log }) {
  const loaded = await loadOrNotMeasured(GROUP, '@fc-sessions/plugin or the emulator does not load', async () => ({
    plugin: await import('@fc-sessions/plugin'),
    emulatorLib: await import('../lib/emulator.mjs'),
  }));
  if (loaded.skipped) return loaded.skipped;
  const { plugin, emulatorLib } = loaded.value;
  if (typeof plugin.keepSessions !== 'function') {
    return [notMeasured(GROUP, 'whole group', '@fc-sessions/plugin does not export keepSessions')];
  }
  const plan = quick ? PLAN.quick : PLAN.full;
  log('keeper: starting the emulator');
  const emulator = await emulatorLib.startEmulatorProcess();
  try {
    const manifestDir = await tempDir('keeper-manifests');
    const where = { region: 'cn-hangzhou', manifestDir };
    const rows = [];
    for (const count of plan.counts) {
      const functionName = `bench-keeper-${count}`;
      await emulatorLib.deployEcho(emulator.client, functionName, { sessionsPerInstance: 200 });
      log(`keeper: N=${count}, prefetching, warming up, then ${plan.rounds} steady-state reconciles and prefetches`);
      const settings = { ...where, count, concurrency: 16 };
      await plugin.prefetchSessions(emulator.client, { ...settings, functionName });
      /** One steady-state reconcile through `client`. */
      const reconcileOnce = async (client) => {
        for await (const report of plugin.keepSessions(client, {
          ...settings,
          functionNames: [functionName],
          once: true,
        })) {
          if (!report.converged || report.created > 0)
            throw new Error(`a steady-state reconcile changed something: ${JSON.stringify(report)}`);
        }
      };
      // The calls are counted in a reconcile of their own, so the timed ones go through the same client as prefetch.
      const counted = counting(emulator.client);
      await reconcileOnce(counted.client);
      const perSession = [...counted.calls.values()].reduce((a, b) => a + b, 0) / count;
      const reconcile = [];
      const prefetch = [];
      const timed = async (work, into) => {
        const t0 = performance.now();
        await work();
        into.push(performance.now() - t0);
      };
      // Untimed rounds first: a keeper reconciles for hours, so its steady state is what counts, and
      // its longer code path would otherwise be measured while V8 is still compiling it.
      const warmRounds = Math.ceil(plan.warmSessions / count);
      for (let round = 0; round < warmRounds; round++) {
        await reconcileOnce(emulator.client);
        await plugin.prefetchSessions(emulator.client, { ...settings, functionName });
      }
      for (let round = 0; round < plan.rounds; round++) {
        const keeper = () => timed(() => reconcileOnce(emulator.client), reconcile);
        const baseline = () =>
          timed(() => plugin.prefetchSessions(emulator.client, { ...settings, functionName }), prefetch);
        // Alternating which goes first, so neither always runs right after the other's writes.
        if (round % 2 === 0) {
          await keeper();
          await baseline();
        } else {
          await baseline();
          await keeper();
        }
      }
      const ours = median(reconcile) / count;
      rows.push(
        compare({
          group: GROUP,
          metric: `N=${count}: one reconcile (all N alive), per session`,
          ours,
          baseline: { name: 'prefetchSessions on the same N, per session', value: median(prefetch) / count },
          unit: 'ms',
          target: { max: 1.25, text: '<= 1.25' },
          note: `median of ${plan.rounds}, after ${warmRounds} untimed rounds; the whole reconcile took ${median(reconcile).toFixed(0)} ms at concurrency 16`,
        }),
        info({
          group: GROUP,
          metric: `N=${count}: FC calls per session per reconcile`,
          value: perSession,
          unit: 'calls',
          note: '1 GetSession per session and 1 GetFunction per function; renewals (a CreateSession and a DeleteSession per session per TTL) and keep-alives not included',
        }),
      );
      await plugin.pruneSessions(emulator.client, { ...where, functionName });
    }
    return rows;
  } finally {
    await emulator.stop();
  }
}
