// Group "emulator": sync invocations through the emulator's session routing against calling the
// instance's own HTTP server directly, and how long a fresh instance takes to start.
import { Agent, request as httpRequest } from 'node:http';
import { asyncRate, compare, loadOrNotMeasured, median, percentile, startProcess } from '../lib/harness.mjs';

const GROUP = 'emulator';
const EVENT = Buffer.from(JSON.stringify({ hello: 'world', n: 42 }));

export async function run({ quick, log }) {
  const loaded = await loadOrNotMeasured(GROUP, '@fc-sessions/emulator does not load; build it first', async () => {
    await import('@fc-sessions/emulator');
    return import('../lib/emulator.mjs');
  });
  if (loaded.skipped) return loaded.skipped;
  const emulatorLib = loaded.value;
  log('emulator: starting it');
  const emulator = await emulatorLib.startEmulatorProcess();
  try {
    return [
      ...(await routedVsDirect({ emulator, emulatorLib, quick, log })),
      await coldStart({ emulator, emulatorLib, quick, log }),
    ];
  } finally {
    await emulator.stop();
  }
}

function post(agent, url, headers, body) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(Buffer.concat(chunks))
          : reject(new Error(`${url} answered ${res.statusCode}`)),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function instanceOf(emulator, sessionId) {
  const response = await fetch(`${emulator.endpoint}/_emulator/instances`, emulator.admin());
  const { instances } = await response.json();
  const instance = instances.find((candidate) => candidate.sessions.includes(sessionId));
  if (!instance) throw new Error(`no instance holds session ${sessionId}`);
  return instance;
}

async function routedVsDirect({ emulator, emulatorLib, quick, log }) {
  const { client, endpoint } = emulator;
  const functionName = 'bench-echo';
  await emulatorLib.deployEcho(client, functionName);
  const { sessionId } = await client.createSession(functionName);
  const instance = await instanceOf(emulator, sessionId);
  const agent = new Agent({ keepAlive: true });
  let requests = 0;
  // The headers the emulator itself sends an instance (see its instances/environment.ts) plus the session header.
  const directHeaders = () => ({
    'content-type': 'application/octet-stream',
    'x-fc-request-id': `1-bench-${++requests}`,
    'x-fc-control-path': '/invoke',
    'x-fc-function-name': functionName,
    'x-fc-function-handler': 'index.handler',
    'x-fc-function-memory': '128',
    'x-fc-function-timeout': '30',
    'x-fc-region': 'cn-hangzhou',
    'x-fc-account-id': '1234567890123456',
    'x-fc-qualifier': 'LATEST',
    'x-fc-retry-count': '0',
    'x-fcs-instance-secret': instance.instanceSecret,
    [emulatorLib.SESSION_HEADER]: sessionId,
  });
  const { signRequest } = await import('@fc-sessions/client/signing');
  const { DEFAULTS } = await import('@fc-sessions/emulator');
  const keys = { accessKeyId: DEFAULTS.accessKeyId, accessKeySecret: DEFAULTS.accessKeySecret };
  const path = `/2023-03-30/functions/${functionName}/invocations`;
  const routedHeaders = () => {
    const headers = {
      host: new URL(endpoint).host,
      'content-type': 'application/octet-stream',
      'x-acs-action': 'InvokeFunction',
      'x-acs-version': '2023-03-30',
      'x-fc-invocation-type': 'Sync',
      [emulatorLib.SESSION_HEADER]: sessionId,
    };
    return { ...headers, ...signRequest({ method: 'POST', url: path, headers, body: EVENT }, keys) };
  };
  const callers = {
    routed: () => post(agent, `${endpoint}${path}`, routedHeaders(), EVENT),
    direct: () => post(agent, `http://127.0.0.1:${instance.port}/invoke`, directHeaders(), EVENT),
  };
  const rows = [];
  try {
    const ms = quick ? 300 : 600;
    const rounds = quick ? 3 : 5;
    // The first few thousand calls through a process run while V8 compiles its hot code (the
    // emulator's, the instance's and this caller's), on the same 2 cores: before the 1-in-flight
    // windows each side runs alone for warmMs (its p99 then goes in the note), before the
    // 8-in-flight ones for half a window.
    const warmMs = quick ? 1000 : 4000;
    const warmP99 = {};
    for (const concurrency of [1, 8]) {
      log(`emulator: invoke through session routing vs the instance directly, ${concurrency} in flight`);
      const rate = { routed: [], direct: [] };
      const latency = { routed: [], direct: [] };
      for (const [name, step] of Object.entries(callers)) {
        const warm = await asyncRate(step, { concurrency, ms: concurrency === 1 ? warmMs : ms / 2 });
        if (concurrency === 1) warmP99[name] = percentile(warm.latencies, 99);
      }
      for (let round = 0; round < rounds; round++) {
        for (const [name, step] of Object.entries(callers)) {
          const sample = await asyncRate(step, { concurrency, ms });
          rate[name].push(sample.rate);
          latency[name].push(...sample.latencies);
        }
      }
      rows.push(
        compare({
          group: GROUP,
          metric: `sync invocations/s through session routing, ${concurrency} in flight`,
          ours: median(rate.routed),
          baseline: { name: 'instance directly', value: median(rate.direct) },
          unit: 'calls/s',
          target: { min: 1 / 2, text: '>= 1/2' },
          note:
            concurrency === 1
              ? 'both sides use node:http with a keep-alive agent; routed = InvokeFunction with the session header, each request signed with signRequest (the least a caller must do); direct = POST /invoke to the instance port from /_emulator/instances with the headers the emulator adds, node:http keep-alive'
              : undefined,
        }),
      );
      for (const p of [50, 99]) {
        rows.push(
          compare({
            group: GROUP,
            metric: `invoke latency p${p} through session routing, ${concurrency} in flight`,
            ours: percentile(latency.routed, p),
            baseline: { name: 'instance directly', value: percentile(latency.direct, p) },
            unit: 'ms',
            ...(p === 99 && concurrency === 1
              ? {
                  target: { max: 3, text: '<= 3x' },
                  note: `after a ${warmMs / 1000} s warm-up of each side; during it, p99 was ${warmP99.routed.toFixed(2)} ms routed and ${warmP99.direct.toFixed(2)} ms directly`,
                }
              : {}),
          }),
        );
      }
    }
  } finally {
    agent.destroy();
  }
  return rows;
}

/** Spawn-to-listening of a bare `node` HTTP server: the floor under any instance start. */
const BARE_SERVER =
  "require('node:http').createServer((q, s) => s.end()).listen(0, '127.0.0.1', function () { console.log('ready ' + this.address().port); });";

async function coldStart({ emulator, emulatorLib, quick, log }) {
  const starts = quick ? 4 : 10;
  log(`emulator: ${starts} CreateSession calls that each need a new instance`);
  const functionName = 'bench-cold';
  await emulatorLib.deployEcho(emulator.client, functionName, { sessionsPerInstance: 1 });
  const cold = [];
  const bare = [];
  for (let i = 0; i < starts; i++) {
    let t0 = performance.now();
    await emulator.client.createSession(functionName);
    cold.push(performance.now() - t0);
    t0 = performance.now();
    const server = await startProcess(process.execPath, ['-e', BARE_SERVER], { ready: /ready \d+/ });
    bare.push(performance.now() - t0);
    await server.stop();
  }
  return compare({
    group: GROUP,
    metric: `instance cold start: CreateSession on a new instance (median of ${starts})`,
    ours: median(cold),
    baseline: { name: 'bare node http server, spawn to listening', value: median(bare) },
    unit: 'ms',
    note: 'the function allows one session per instance, so every CreateSession spawns an instance, loads the handler and runs its initializer before answering',
  });
}
