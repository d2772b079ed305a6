// Group "cli": start-to-exit time of `fcs invoke` against `s invoke` through our Serverless Devs
// component, on the plugin's own s.yaml test project deployed to the emulator.
import { cp, readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare, exec, info, loadOrNotMeasured, median, tempDir } from '../lib/harness.mjs';

const GROUP = 'cli';
const require = createRequire(import.meta.url);
const FUNCTION = 'devs-hello';
const here = dirname(fileURLToPath(import.meta.url));

/** The id of the first session the deploy prefetched, from the manifest in the project's `.fcs` folder. */
async function prefetchedSession(project) {
  const sessions = join(project, '.fcs', 'sessions');
  const [file] = (await readdir(sessions, { recursive: true })).filter((name) =>
    name.endsWith(`.${FUNCTION}.LATEST.json`),
  );
  if (!file) throw new Error(`cli: s deploy left no manifest of ${FUNCTION} in ${sessions}`);
  const manifest = JSON.parse(await readFile(join(sessions, file), 'utf8'));
  return manifest.sessions.find((session) => session.state === 'active').sessionId;
}

function locate() {
  const pluginRoot = dirname(require.resolve('@fc-sessions/plugin/package.json'));
  return {
    pluginRoot,
    fcs: join(pluginRoot, 'bin', 'fcs.cjs'),
    bundle: [join(pluginRoot, 'dist', 'fcs.cjs'), join(pluginRoot, 'dist', 'fcs-start.cjs')],
    fixture: join(pluginRoot, 'test', 'fixtures', 'devs-project'),
    floor: join(here, '..', 'lib', 'floor-invoke.cjs'),
    s: join(dirname(require.resolve('@serverless-devs/s/package.json')), 'bin', 's'),
  };
}

export async function run({ quick, log }) {
  const loaded = await loadOrNotMeasured(
    GROUP,
    "the plugin's fcs CLI, component or s.yaml fixture is missing",
    async () => {
      const paths = locate();
      for (const path of [
        paths.fcs,
        ...paths.bundle,
        join(paths.pluginRoot, 'devs-component.cjs'),
        join(paths.fixture, 's.yaml'),
      ])
        await stat(path);
      await import('@fc-sessions/plugin/cli');
      return { paths, emulatorLib: await import('../lib/emulator.mjs') };
    },
  );
  if (loaded.skipped) return loaded.skipped;
  const { paths, emulatorLib } = loaded.value;
  log('cli: starting the emulator, deploying the fixture project with s deploy');
  const emulator = await emulatorLib.startEmulatorProcess();
  try {
    const { DEFAULTS } = await import('@fc-sessions/emulator');
    const project = await tempDir('s-project');
    await cp(paths.fixture, project, { recursive: true });
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      serverless_devs_config_home: await tempDir('s-home'),
      XDG_CACHE_HOME: await tempDir('fcs-code-cache'),
      FCS_PLUGIN_ROOT: paths.pluginRoot,
      FCS_ENDPOINT: emulator.endpoint,
      AccountID: DEFAULTS.accountId,
      AccessKeyID: DEFAULTS.accessKeyId,
      AccessKeySecret: DEFAULTS.accessKeySecret,
    };
    const timed = async (args, extraEnv = {}) => {
      const t0 = performance.now();
      await exec(process.execPath, args, { cwd: project, env: { ...env, ...extraEnv }, timeoutMs: 120_000 });
      return performance.now() - t0;
    };
    const commands = {
      fcs: [paths.fcs, 'invoke', FUNCTION, '-e', 'hi'],
      s: [paths.s, 'invoke', '-e', 'hi'],
      node: ['-e', '0'],
    };
    await timed([paths.s, 'deploy']);
    const floorEnv = { FLOOR_FUNCTION: FUNCTION, FLOOR_SESSION_ID: await prefetchedSession(project) };
    for (const args of Object.values(commands)) await timed(args);
    await timed([paths.floor], floorEnv);
    const runs = quick ? 3 : 7;
    log(`cli: fcs invoke (with and without its code cache), s invoke, bare node and the floor, ${runs} runs each`);
    const samples = { fcs: [], s: [], node: [], uncached: [], floor: [] };
    for (let i = 0; i < runs; i++) {
      for (const [name, args] of Object.entries(commands)) samples[name].push(await timed(args));
      samples.uncached.push(await timed(commands.fcs, { FCS_CODE_CACHE: '0' }));
      samples.floor.push(await timed([paths.floor], floorEnv));
    }
    let size = 0;
    for (const path of paths.bundle) size += (await stat(path)).size;
    return [
      compare({
        group: GROUP,
        metric: `\`fcs invoke\` start to exit (median of ${runs})`,
        ours: median(samples.fcs),
        baseline: { name: '`s invoke` via our component', value: median(samples.s) },
        unit: 'ms',
        target: { max: 1 / 5, text: '<= 1/5' },
        note: "both from the plugin's s.yaml test project after `s deploy` prefetched its sessions, so both invoke into a prefetched session on the emulator",
      }),
      compare({
        group: GROUP,
        metric: '`fcs invoke` start to exit, vs bare node',
        ours: median(samples.fcs),
        baseline: { name: '`node -e 0`', value: median(samples.node) },
        unit: 'ms',
        target: { max: 1.4, text: '<= 1.4x' },
        note: 'after one untimed run, so the code cache of `fcs invoke` is written (a temp XDG_CACHE_HOME)',
      }),
      compare({
        group: GROUP,
        metric: 'floor: node:http + node:crypto + one signed invoke, vs bare node',
        ours: median(samples.floor),
        baseline: { name: '`node -e 0`', value: median(samples.node) },
        unit: 'ms',
        note: 'lib/floor-invoke.cjs, into the same prefetched session: the least a Node.js command does for the call, so the part of the 1.4x that is Node itself',
      }),
      compare({
        group: GROUP,
        metric: '`fcs invoke` start to exit, vs the floor',
        ours: median(samples.fcs),
        baseline: { name: 'floor', value: median(samples.floor) },
        unit: 'ms',
        note: "what fcs adds over the floor: its start (code cache, bundle), settings, credentials, the manifest read, the client's request and the output",
      }),
      compare({
        group: GROUP,
        metric: '`fcs invoke` without its code cache (`FCS_CODE_CACHE=0`), vs bare node',
        ours: median(samples.uncached),
        baseline: { name: '`node -e 0`', value: median(samples.node) },
        unit: 'ms',
        note: 'what the first run of a command costs, and every run where no cache folder can be written',
      }),
      info({
        group: GROUP,
        metric: 'bundled `fcs`: dist/fcs.cjs + dist/fcs-start.cjs',
        value: size / 1024,
        unit: 'KiB',
      }),
    ];
  } finally {
    await emulator.stop();
  }
}
