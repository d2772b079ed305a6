// Shared pieces of the benchmark groups: statistics, rate measurement, child processes, clean-up
// and the rows of the final table.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// ---- statistics ---------------------------------------------------------------------------

export function median(values) {
  return percentile(values, 50);
}

/** Nearest-rank percentile of `values` (p in [0, 100]). */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

// ---- rates --------------------------------------------------------------------------------

/** Operations per second of a synchronous `fn`, run in batches for about `ms`. */
function syncRate(fn, ms) {
  let batch = 1;
  let done = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < batch; i++) fn();
    done += batch;
    batch = Math.min(batch * 2, 4096);
    elapsed = performance.now() - start;
  }
  return (done * 1000) / elapsed;
}

/**
 * Median operations per second of several synchronous candidates, measured in alternating rounds
 * so that drift (heat, other processes) hits them all alike. Returns `{ name: opsPerSecond }`.
 */
export function compareSyncRates(candidates, { rounds, ms }) {
  const samples = Object.fromEntries(Object.keys(candidates).map((name) => [name, []]));
  for (const fn of Object.values(candidates)) syncRate(fn, ms / 2);
  for (let round = 0; round < rounds; round++) {
    for (const [name, fn] of Object.entries(candidates)) samples[name].push(syncRate(fn, ms));
  }
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
}

/**
 * Runs `concurrency` loops of `step()` (an async unit of work worth `callsPerStep` calls) for about
 * `ms` and returns calls per second, this process's CPU time per call (µs) and the latency of each
 * step in milliseconds.
 */
export async function asyncRate(step, { concurrency, ms, callsPerStep = 1 }) {
  const latencies = [];
  const deadline = performance.now() + ms;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const loop = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await step();
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const calls = latencies.length * callsPerStep;
  return { rate: (calls * 1000) / elapsed, cpuMicrosPerCall: (cpu.user + cpu.system) / calls, latencies };
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function eachLimit(items, limit, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

// ---- clean-up -----------------------------------------------------------------------------

const cleanups = [];
/** Linux's USER_HZ, the unit of the CPU times in /proc/<pid>/stat. */
const CLOCK_TICKS = 100;

/** Registers `fn` to run when the benchmark ends (or is interrupted); returns an unregister. */
export function onCleanup(fn) {
  cleanups.push(fn);
  return () => {
    const index = cleanups.indexOf(fn);
    if (index >= 0) cleanups.splice(index, 1);
  };
}

let draining;

/** Runs every registered clean-up, last first; callers that overlap share one pass. */
export function runCleanups() {
  draining ??= (async () => {
    while (cleanups.length > 0) {
      const fn = cleanups.pop();
      try {
        await fn();
      } catch (error) {
        console.error(`clean-up failed: ${error.message}`);
      }
    }
  })().finally(() => {
    draining = undefined;
  });
  return draining;
}

export async function tempDir(prefix) {
  const dir = await mkdtemp(join(tmpdir(), `fcs-bench-${prefix}-`));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

// ---- child processes ----------------------------------------------------------------------

/** Runs a command to completion; rejects on a non-zero exit or after `timeoutMs`. */
export function exec(command, args, { cwd, env, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString();
      const stderr = Buffer.concat(err).toString();
      if (code === 0) {
        resolve({ stdout, stderr });
        return;
      }
      const firstError =
        stderr
          .split('\n')
          .find((line) => /error/i.test(line))
          ?.trim() ?? '';
      reject(
        new Error(
          `${command} ${args.join(' ')} exited with ${code ?? signal}: ${firstError} ${stderr.trim().slice(-300)}`,
        ),
      );
    });
  });
}

/**
 * Starts a long-running child and resolves once a line of its stdout matches `ready`, with the
 * match and a `stop()` that ends it (also registered for the final clean-up).
 */
export function startProcess(command, args, { ready, cwd, env, timeoutMs = 30_000 }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let settled = false;
    const exited = new Promise((done) => child.once('exit', done));
    const stop = async () => {
      unregister();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
    };
    const unregister = onCleanup(stop);
    const fail = (message) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stop().then(() => reject(new Error(`${message}\n${output.slice(-1000)}`)));
    };
    const timer = setTimeout(() => fail(`${command} did not print a ready line within ${timeoutMs} ms`), timeoutMs);
    const watch = (chunk) => {
      output += chunk;
      if (settled) return;
      const match = output.match(ready);
      if (match) {
        settled = true;
        clearTimeout(timer);
        resolve({ match, stop, child });
      }
    };
    child.stdout.setEncoding('utf8').on('data', watch);
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      output += chunk;
    });
    child.once('exit', (code, signal) => fail(`${command} exited early with ${code ?? signal}`));
    child.once('error', (error) => fail(`${command} failed to start: ${error.message}`));
  });
}

/** CPU time (user + system, ms) another process has used so far, from /proc; undefined where there is no /proc. */
export async function processCpuMs(pid) {
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

// ---- files --------------------------------------------------------------------------------

/**
 * Sum of the sizes of all regular files under `dir` (apparent size, like `du -b` without
 * directories), their count, and the bytes per kind (`js`, `types`, `maps`, `other`).
 */
export async function treeSize(dir) {
  let bytes = 0;
  let files = 0;
  const byKind = { js: 0, types: 0, maps: 0, other: 0 };
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const size = (await stat(join(entry.parentPath ?? entry.path, entry.name))).size;
    const kind = /\.d\.[cm]?ts$/.test(entry.name)
      ? 'types'
      : /\.map$/.test(entry.name)
        ? 'maps'
        : /\.[cm]?js$/.test(entry.name)
          ? 'js'
          : 'other';
    byKind[kind] += size;
    bytes += size;
    files += 1;
  }
  return { bytes, files, byKind };
}

// ---- rows of the table --------------------------------------------------------------------

/**
 * One compared measurement. `ratio` is always ours / baseline; `target` is `{ max }` or `{ min }`
 * on that ratio with the text shown in the table.
 */
export function compare({ group, metric, ours, baseline, unit, target, note }) {
  const ratio = ours / baseline.value;
  const met = target === undefined ? undefined : 'max' in target ? ratio <= target.max : ratio >= target.min;
  return { group, metric, ours: { value: ours, unit }, baseline, ratio, target: target?.text, met, note };
}

/** A measurement with no baseline (shown for information). */
export function info({ group, metric, value, unit, note }) {
  return { group, metric, ours: { value, unit }, note };
}

/** A measurement held to an absolute budget rather than a baseline: met when `value <= max`. */
export function budget({ group, metric, value, unit, max, text, note }) {
  return { group, metric, ours: { value, unit }, target: text, met: value <= max, note };
}

export function notMeasured(group, metric, reason) {
  return { group, metric, skipped: reason };
}

/**
 * A group's imports: `{ value }`, what `load` resolved to, or `{ skipped }`, the group's one
 * `not measured` row naming `what` and the error (a package missing or not built).
 */
export async function loadOrNotMeasured(group, what, load) {
  try {
    return { value: await load() };
  } catch (error) {
    return { skipped: [notMeasured(group, 'whole group', `${what} (${error.code ?? error.message})`)] };
  }
}

export function formatNumber(value) {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100_000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

function quantity({ value, unit }) {
  return `${formatNumber(value)} ${unit}`;
}

export function formatTable(rows) {
  const lines = ['| group | metric | ours | baseline | ratio | target | met? |', '|---|---|---|---|---|---|---|'];
  for (const row of rows) {
    if (row.skipped) {
      lines.push(`| ${row.group} | ${row.metric} | not measured: ${row.skipped} | | | | |`);
      continue;
    }
    const baseline = row.baseline
      ? `${row.baseline.name}: ${quantity({ value: row.baseline.value, unit: row.ours.unit })}`
      : '';
    const ratio = row.ratio === undefined ? '' : `${formatNumber(row.ratio)}x`;
    const met = row.met === undefined ? '' : row.met ? 'yes' : '**NO**';
    lines.push(
      `| ${row.group} | ${row.metric} | ${quantity(row.ours)} | ${baseline} | ${ratio} | ${row.target ?? ''} | ${met} |`,
    );
  }
  return lines.join('\n');
}

export function formatNotes(rows) {
  return rows
    .filter((row) => row.note)
    .map((row) => `- ${row.group} / ${row.metric}: ${row.note}`)
    .join('\n');
}
