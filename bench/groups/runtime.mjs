// Group "runtime": the in-function helper's min+gzip size, import time, and header reads per
// second against hand-written parsing of the same headers.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { budget, compare, compareSyncRates, exec, info, loadOrNotMeasured, median } from '../lib/harness.mjs';

const GROUP = 'runtime';
const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const CORE_BUDGET_KIB = 4;
const ENTRIES = [
  '@fc-sessions/runtime',
  '@fc-sessions/runtime/event',
  '@fc-sessions/runtime/node',
  '@fc-sessions/runtime/fetch',
  '@fc-sessions/runtime/serve',
];

export async function run({ quick, log }) {
  const loaded = await loadOrNotMeasured(
    GROUP,
    '@fc-sessions/runtime does not load; build it first',
    () => import('@fc-sessions/runtime'),
  );
  if (loaded.skipped) return loaded.skipped;
  const runtime = loaded.value;
  return [...(await sizes(log)), ...(await importTimes({ quick, log })), await headerReads({ runtime, quick, log })];
}

/** Bytes of `specifier`'s whole export surface bundled by esbuild with --minify, then gzipped (level 9). */
async function minGzipBytes(specifier) {
  const result = await build({
    stdin: { contents: `export * from '${specifier}';`, resolveDir: benchDir, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length };
}

async function sizes(log) {
  log('runtime: esbuild --minify + gzip of each entry');
  const measured = {};
  for (const entry of ENTRIES) measured[entry] = await minGzipBytes(entry);
  const core = measured[ENTRIES[0]];
  const others = ENTRIES.slice(1)
    .map((entry) => `${entry.replace('@fc-sessions/runtime', '')} ${(measured[entry].gzipped / 1024).toFixed(1)} KiB`)
    .join(', ');
  return [
    budget({
      group: GROUP,
      metric: 'core entry, esbuild --bundle --minify, then gzip -9',
      value: core.gzipped / 1024,
      unit: 'KiB',
      max: CORE_BUDGET_KIB,
      text: `<= ${CORE_BUDGET_KIB} KiB`,
      note: `${(core.minified / 1024).toFixed(1)} KiB minified before gzip; every other entry bundled alone (min+gzip): ${others}`,
    }),
  ];
}

async function importTimes({ quick, log }) {
  const runs = quick ? 7 : 21;
  const rows = [];
  for (const entry of [ENTRIES[0], '@fc-sessions/runtime/serve']) {
    log(`runtime: cold import() of ${entry} x${runs}`);
    const samples = [];
    for (let i = 0; i < runs; i++) {
      const { stdout } = await exec(process.execPath, [join(benchDir, 'lib', 'load-child.mjs'), entry, 'import'], {
        cwd: benchDir,
      });
      samples.push(Number(stdout));
    }
    rows.push(
      info({
        group: GROUP,
        metric: `cold \`import('${entry}')\` in a fresh process (median of ${runs})`,
        value: median(samples),
        unit: 'ms',
      }),
    );
  }
  return rows;
}

/**
 * What a careful hand-written handler does to get the same facts from the same headers: read each
 * one, convert the numbers, decode the baggage, take the session header.
 */
function handRead(headers) {
  const timeoutSeconds = Number(headers['x-fc-function-timeout']);
  const baggage = headers['x-fc-tracing-opentracing-span-baggages'];
  const sessionId = headers['x-session-id'];
  return {
    invocation: {
      requestId: headers['x-fc-request-id'],
      functionName: headers['x-fc-function-name'],
      handler: headers['x-fc-function-handler'],
      memoryMB: Number(headers['x-fc-function-memory']),
      timeoutSeconds,
      region: headers['x-fc-region'],
      accountId: headers['x-fc-account-id'],
      qualifier: headers['x-fc-qualifier'],
      versionId: headers['x-fc-version-id'] || undefined,
      controlPath: headers['x-fc-control-path'],
      retryCount: Number(headers['x-fc-retry-count']),
      asyncTaskId: headers['x-fc-async-task-id'],
      logProject: headers['x-fc-service-logproject'],
      logStore: headers['x-fc-service-logstore'],
      tracing: {
        spanContext: headers['x-fc-tracing-opentracing-span-context'],
        baggage: baggage ? JSON.parse(Buffer.from(baggage, 'base64').toString('utf8')) : undefined,
        jaegerEndpoint: headers['x-fc-tracing-jaeger-endpoint'] || undefined,
      },
      deadline: Date.now() + timeoutSeconds * 1000,
      credentials: {
        accessKeyId: headers['x-fc-access-key-id'],
        accessKeySecret: headers['x-fc-access-key-secret'],
        securityToken: headers['x-fc-security-token'],
      },
    },
    session: sessionId ? { id: sessionId } : undefined,
  };
}

async function headerReads({ runtime, quick, log }) {
  log('runtime: readRequest vs hand-written parsing of a full FC 3.0 header set');
  const { SESSION, fc3Headers } = await import('@fc-sessions/testing');
  const headers = { ...fc3Headers, [SESSION.header]: SESSION.id };
  const options = { header: SESSION.header };
  const ours = () => runtime.readRequest(headers, options);
  const hand = () => handRead(headers);
  const a = ours();
  const b = hand();
  for (const field of ['requestId', 'functionName', 'memoryMB', 'timeoutSeconds', 'retryCount', 'logStore']) {
    if (a.invocation[field] !== b.invocation[field])
      throw new Error(`readRequest and the hand-written parser disagree on ${field}`);
  }
  if (
    a.session?.id !== b.session?.id ||
    a.invocation.tracing?.baggage?.tenant !== b.invocation.tracing.baggage.tenant
  ) {
    throw new Error('readRequest and the hand-written parser disagree on the session or the baggage');
  }
  const rates = compareSyncRates({ ours, hand }, { rounds: quick ? 3 : 7, ms: quick ? 150 : 300 });
  return compare({
    group: GROUP,
    metric: `\`readRequest\` of a full FC 3.0 header set (${Object.keys(headers).length} headers) + session header`,
    ours: rates.ours,
    baseline: { name: 'hand-written parsing', value: rates.hand },
    unit: 'reads/s',
    target: { min: 1 / 2, text: '>= 1/2' },
    note: 'hand-written = reading the same fields from the header record, Number() on the numbers, base64+JSON on the baggage, no validation',
  });
}
