// Group "client": @fc-sessions/client against the official SDK (@alicloud/fc20230330 +
// @alicloud/openapi-core): cold load, installed size, signing rate, call throughput.
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  asyncRate,
  compare,
  compareSyncRates,
  exec,
  median,
  notMeasured,
  startProcess,
  tempDir,
  treeSize,
} from '../lib/harness.mjs';

const GROUP = 'client';
const here = dirname(fileURLToPath(import.meta.url));
const benchDir = join(here, '..');
const require = createRequire(import.meta.url);

const SDK = '@alicloud/fc20230330';
const SDK_CORE = '@alicloud/openapi-core';
const SDK_VERSION = '4.7.6';
const SDK_CORE_VERSION = '1.0.8';
const SDK_NAME = `SDK ${SDK_VERSION}`;

const CREDENTIALS = { accessKeyId: 'benchAccessKeyId0001', accessKeySecret: 'benchAccessKeySecretNotARealOne0001' };
const FUNCTION = 'bench-fn';
const SESSION_HEADER = 'x-session-id';
const SESSION_INPUT = { sessionTTLInSeconds: 3600, sessionIdleTimeoutInSeconds: 600 };
const RAW_NOTE =
  'raw = node:http with a keep-alive agent sending the same requests unsigned and parsing the JSON answers: the floor';
const EVENT = Buffer.from(JSON.stringify({ hello: 'world', n: 42, list: [1, 2, 3] }));

export async function run({ quick, log }) {
  const rows = [];
  let installed;
  try {
    installed = await installedSize({ log });
  } catch (error) {
    installed = {
      rows: [
        notMeasured(GROUP, 'installed size', `npm pack/install failed (no registry?): ${error.message.split('\n')[0]}`),
      ],
    };
  }
  rows.push(...(await coldLoad({ quick, log, projects: installed.projects })), ...installed.rows);
  rows.push(await signingRate({ quick, log }));
  rows.push(...(await throughput({ quick, log })));
  return rows;
}

// ---- cold load ----------------------------------------------------------------------------

/** Times one load of `specifier` in a fresh process, resolved from `project`'s node_modules (a copy of load-child.mjs runs there). */
async function loadTime(project, specifier, mode) {
  const { stdout } = await exec(process.execPath, [join(project, 'lib', 'load-child.mjs'), specifier, mode], {
    cwd: project,
  });
  return Number(stdout);
}

/**
 * From the projects the size row installed with npm, as a user's project holds the packages;
 * without them (no registry), from this workspace (pnpm's symlinked layout, a little slower to
 * resolve for both).
 */
async function coldLoad({ quick, log, projects }) {
  const runs = quick ? 7 : 21;
  const rows = [];
  const from = projects ?? { ours: benchDir, sdk: benchDir };
  for (const project of new Set(Object.values(from))) {
    if (project === benchDir) continue;
    await mkdir(join(project, 'lib'), { recursive: true });
    await copyFile(join(benchDir, 'lib', 'load-child.mjs'), join(project, 'lib', 'load-child.mjs'));
  }
  for (const mode of ['import', 'require']) {
    log(`client: cold ${mode}() x${runs} each`);
    const ours = [];
    const sdk = [];
    for (let i = 0; i < runs; i++) {
      ours.push(await loadTime(from.ours, '@fc-sessions/client', mode));
      sdk.push(await loadTime(from.sdk, SDK, mode));
    }
    rows.push(
      compare({
        group: GROUP,
        metric: `cold load, \`${mode}()\` in a fresh process (median of ${runs})`,
        ours: median(ours),
        baseline: { name: SDK_NAME, value: median(sdk) },
        unit: 'ms',
        target: { max: 1 / 20, text: '<= 1/20' },
        note: projects
          ? 'each from its `npm install`ed project of the size row'
          : 'from this workspace: the install for the size row failed',
      }),
    );
  }
  return rows;
}

// ---- installed size -----------------------------------------------------------------------

async function installInto(dir, specs, log) {
  await exec('npm', ['init', '-y'], { cwd: dir });
  log(`client: npm install --omit=dev ${specs.map((spec) => spec.replace(/^.*\//, '')).join(' ')}`);
  await exec(
    'npm',
    ['install', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', ...specs],
    {
      cwd: dir,
      timeoutMs: 300_000,
    },
  );
  const modules = join(dir, 'node_modules');
  const lockFile = join(modules, '.package-lock.json');
  const { bytes, files, byKind } = await treeSize(modules);
  const lock = JSON.parse(await readFile(lockFile, 'utf8'));
  const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
  return {
    kinds: `${kib(byKind.js)} JavaScript, ${kib(byKind.types)} type declarations, ${kib(byKind.maps)} source maps, the rest other files`,
    bytes: bytes - (await stat(lockFile)).size,
    files: files - 1,
    packages: Object.keys(lock.packages).filter((key) => key.startsWith('node_modules/')).length,
  };
}

async function installedSize({ log }) {
  const packDir = await tempDir('pack');
  const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', packDir], {
    cwd: dirname(require.resolve('@fc-sessions/client/package.json')),
  });
  const tarball = join(packDir, JSON.parse(stdout)[0].filename);
  const projects = { ours: await tempDir('ours'), sdk: await tempDir('sdk') };
  const ours = await installInto(projects.ours, [tarball], log);
  const sdk = await installInto(projects.sdk, [`${SDK}@${SDK_VERSION}`, `${SDK_CORE}@${SDK_CORE_VERSION}`], log);
  const rows = [
    compare({
      group: GROUP,
      metric: '`npm install --omit=dev` size (sum of file sizes in node_modules)',
      ours: ours.bytes / 1024,
      baseline: { name: SDK_NAME, value: sdk.bytes / 1024 },
      unit: 'KiB',
      target: { max: 1 / 100, text: '<= 1/100' },
      note: `ours: ${ours.packages} package, ${ours.files} files (${ours.kinds}); SDK: ${sdk.packages} packages, ${sdk.files} files (${sdk.kinds}); our tarball from \`npm pack\`, the SDK from the registry`,
    }),
  ];
  return { rows, projects };
}

// ---- signing ------------------------------------------------------------------------------

async function signers() {
  const { signRequest } = await import('@fc-sessions/client/signing');
  const { OpenApiUtil } = require(SDK_CORE);
  const path = `/2023-03-30/functions/${FUNCTION}/sessions`;
  const body = Buffer.from(JSON.stringify(SESSION_INPUT));
  const base = {
    host: '1234567890123456.cn-hangzhou.fc.aliyuncs.com',
    'x-acs-version': '2023-03-30',
    'x-acs-action': 'CreateSession',
    'user-agent': 'bench',
    accept: 'application/json',
    'content-type': 'application/json; charset=utf-8',
  };
  const ours = (date, nonce) =>
    signRequest(
      { method: 'POST', url: `${path}?qualifier=LATEST`, headers: base, body },
      CREDENTIALS,
      date ? { date, nonce } : {},
    ).authorization;
  // The SDK's own steps from openapi-core's callApi (ROA, ACS3-HMAC-SHA256): date, nonce, body hash, authorization.
  const sdk = (date, nonce) => {
    const headers = {
      ...base,
      'x-acs-date': date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : OpenApiUtil.getTimestamp(),
      'x-acs-signature-nonce': nonce ?? OpenApiUtil.getNonce(),
    };
    const hashed = OpenApiUtil.hash(body, 'ACS3-HMAC-SHA256').toString('hex');
    headers['x-acs-content-sha256'] = hashed;
    const request = { pathname: path, method: 'POST', query: { qualifier: 'LATEST' }, headers };
    return OpenApiUtil.getAuthorization(
      request,
      'ACS3-HMAC-SHA256',
      hashed,
      CREDENTIALS.accessKeyId,
      CREDENTIALS.accessKeySecret,
    );
  };
  const date = new Date('2026-01-02T03:04:05Z');
  if (ours(date, 'fixed-nonce') !== sdk(date, 'fixed-nonce')) {
    throw new Error('the two signers disagree on the same request: the comparison would not be like for like');
  }
  return { ours: () => ours(), sdk: () => sdk() };
}

async function signingRate({ quick, log }) {
  log('client: signing rate');
  const { ours, sdk } = await signers();
  const rates = compareSyncRates({ ours, sdk }, { rounds: quick ? 3 : 7, ms: quick ? 150 : 300 });
  return compare({
    group: GROUP,
    metric: 'ACS3 signatures of a CreateSession request',
    ours: rates.ours,
    baseline: { name: SDK_NAME, value: rates.sdk },
    unit: 'ops/s',
    note: 'same request, checked to give the same signature; the SDK side is the steps its callApi runs (timestamp, nonce, body hash, getAuthorization)',
  });
}

// ---- call throughput ----------------------------------------------------------------------

function rawCaller(origin) {
  const agent = new Agent({ keepAlive: true });
  const call = (method, path, headers, body) =>
    new Promise((resolve, reject) => {
      const req = httpRequest(`${origin}${path}`, { method, agent, headers }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve(Buffer.concat(chunks)));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  const json = { 'content-type': 'application/json' };
  const base = `/2023-03-30/functions/${FUNCTION}`;
  return {
    async round() {
      const created = JSON.parse(await call('POST', `${base}/sessions`, json, JSON.stringify(SESSION_INPUT)));
      JSON.parse(await call('GET', `${base}/sessions/${created.sessionId}`, {}));
      await call('POST', `${base}/invocations`, { [SESSION_HEADER]: created.sessionId }, EVENT);
    },
    close: () => agent.destroy(),
  };
}

async function oursCaller(origin) {
  const { FcClient } = await import('@fc-sessions/client');
  const client = new FcClient({
    endpoint: origin,
    credentials: CREDENTIALS,
    accountId: '1234567890123456',
    region: 'cn-hangzhou',
  });
  const route = { affinity: 'HEADER_FIELD', headerName: SESSION_HEADER };
  return {
    async round() {
      const created = await client.createSession(FUNCTION, SESSION_INPUT);
      await client.getSession(FUNCTION, created.sessionId);
      await client.invoke(FUNCTION, { body: EVENT, session: { ...route, id: created.sessionId } });
    },
    close: () => client.close(),
  };
}

function sdkCaller(origin) {
  const fc = require(SDK);
  const { $OpenApiUtil } = require(SDK_CORE);
  const { RuntimeOptions } = createRequire(require.resolve(SDK))('@darabonba/typescript');
  const client = new fc.default(
    new $OpenApiUtil.Config({
      ...CREDENTIALS,
      endpoint: new URL(origin).host,
      protocol: 'http',
      regionId: 'cn-hangzhou',
    }),
  );
  return {
    async round() {
      const created = await client.createSession(
        FUNCTION,
        new fc.CreateSessionRequest({ body: new fc.CreateSessionInput(SESSION_INPUT) }),
      );
      const sessionId = created.body.sessionId;
      await client.getSession(FUNCTION, sessionId, new fc.GetSessionRequest({}));
      const invoked = await client.invokeFunctionWithOptions(
        FUNCTION,
        new fc.InvokeFunctionRequest({ body: Readable.from([EVENT]) }),
        new fc.InvokeFunctionHeaders({ commonHeaders: { [SESSION_HEADER]: sessionId }, xFcInvocationType: 'Sync' }),
        new RuntimeOptions({}),
      );
      for await (const _chunk of invoked.body);
    },
    close: () => {},
  };
}

async function throughput({ quick, log }) {
  const server = await startProcess(process.execPath, [join(benchDir, 'lib', 'fc-stub-server.mjs')], {
    ready: /listening (\d+)/,
  });
  const origin = `http://127.0.0.1:${server.match[1]}`;
  const callers = { raw: rawCaller(origin), ours: await oursCaller(origin), sdk: sdkCaller(origin) };
  const rows = [];
  try {
    for (const caller of Object.values(callers)) await caller.round();
    const ms = quick ? 250 : 400;
    const rounds = quick ? 3 : 7;
    for (const concurrency of [1, 16]) {
      log(`client: CreateSession+GetSession+InvokeFunction, ${concurrency} in flight, ${rounds} x ${ms} ms each`);
      const rate = { raw: [], ours: [], sdk: [] };
      const cpu = { raw: [], ours: [], sdk: [] };
      for (const caller of Object.values(callers)) await asyncRate(caller.round, { concurrency, ms: ms / 2 });
      for (let round = 0; round < rounds; round++) {
        for (const [name, caller] of Object.entries(callers)) {
          const sample = await asyncRate(caller.round, { concurrency, ms, callsPerStep: 3 });
          rate[name].push(sample.rate);
          cpu[name].push(sample.cpuMicrosPerCall);
        }
      }
      const metric = `calls/s, CreateSession+GetSession+InvokeFunction, ${concurrency} in flight`;
      const cpuMetric = `client CPU per call, ${concurrency} in flight`;
      rows.push(
        compare({
          group: GROUP,
          metric,
          ours: median(rate.ours),
          baseline: { name: SDK_NAME, value: median(rate.sdk) },
          unit: 'calls/s',
          target: { min: 1.5, text: '>= 1.5x' },
        }),
        compare({
          group: GROUP,
          metric: `${metric}, vs raw`,
          ours: median(rate.ours),
          baseline: { name: 'raw node:http', value: median(rate.raw) },
          unit: 'calls/s',
          target: { min: 1 / 1.2, text: '>= 1/1.2' },
          note: RAW_NOTE,
        }),
        compare({
          group: GROUP,
          metric: cpuMetric,
          ours: median(cpu.ours),
          baseline: { name: SDK_NAME, value: median(cpu.sdk) },
          unit: 'µs',
          note: 'user+system CPU of the calling process only (the server runs in its own process), per call; lower is better',
        }),
        compare({
          group: GROUP,
          metric: `${cpuMetric}, vs raw`,
          ours: median(cpu.ours),
          baseline: { name: 'raw node:http', value: median(cpu.raw) },
          unit: 'µs',
          target: { max: 1.3, text: '<= 1.3x' },
        }),
      );
    }
  } finally {
    for (const caller of Object.values(callers)) caller.close();
    await server.stop();
  }
  return rows;
}
