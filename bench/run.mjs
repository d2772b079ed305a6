// `pnpm bench [-- --group <name>[,<name>]] [--quick]`: runs the benchmark groups and prints one
// markdown table of ratios (ours / baseline) with the machine it ran on.
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { formatNotes, formatTable, notMeasured, runCleanups } from './lib/harness.mjs';

const GROUPS = ['client', 'runtime', 'emulator', 'prefetch', 'keeper', 'cli'];

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    group: { type: 'string', multiple: true },
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(`usage: pnpm bench [-- --group ${GROUPS.join('|')}] [--quick] [--json]`);
  process.exit(0);
}

const selected = (values.group ?? GROUPS).flatMap((name) => name.split(','));
const unknown = selected.filter((name) => !GROUPS.includes(name));
if (unknown.length > 0) {
  console.error(`unknown group ${unknown.join(', ')}: --group takes one of ${GROUPS.join(', ')}`);
  process.exit(2);
}

const log = (message) => console.error(`[bench] ${message}`);
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    interrupted = true;
    log(`${signal}: stopping what was started`);
    await runCleanups();
    process.exit(130);
  });
}

const started = performance.now();
const loadAtStart = loadavg()[0];
const rows = [];
for (const name of GROUPS.filter((group) => selected.includes(group))) {
  const groupStart = performance.now();
  try {
    const group = await import(`./groups/${name}.mjs`);
    rows.push(...(await group.run({ quick: values.quick, log })));
  } catch (error) {
    if (interrupted) break;
    log(`${name} failed: ${error.stack ?? error}`);
    rows.push(notMeasured(name, 'whole group', `failed: ${String(error.message ?? error).split('\n')[0]}`));
  } finally {
    await runCleanups();
  }
  log(`${name} took ${((performance.now() - groupStart) / 1000).toFixed(1)} s`);
}
if (interrupted) process.exit(130);

const cpu = cpus();
const header = [
  `## fc-sessions benchmarks${values.quick ? ' (--quick)' : ''}`,
  '',
  `Machine: ${cpu[0]?.model.trim() ?? 'unknown cpu'}, ${cpu.length} cores; Node ${process.version} on ${process.platform}/${process.arch}; ` +
    `load average ${loadAtStart.toFixed(2)} at start; run took ${((performance.now() - started) / 1000).toFixed(0)} s.`,
  'Ratio = ours / baseline; the target is on that ratio.',
  '',
];
const notes = formatNotes(rows);
console.log([...header, formatTable(rows), '', ...(notes ? ['Notes:', notes] : [])].join('\n'));
if (values.json)
  console.log(
    JSON.stringify({ machine: { cpu: cpu[0]?.model, cores: cpu.length, node: process.version }, rows }, null, 2),
  );
