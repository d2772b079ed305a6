import { createRequire } from 'node:module';
import { type FlagSpec, flagUsage, parseArgs } from './commands/args.js';
import { COMMANDS, type CommandSpec, findCommand, flagsFor } from './commands/specs.js';

/** Where `fcs` reads and writes; the defaults are the process's own. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

const EXIT_CODES = `Exit codes:
  0  success
  1  the function ran and failed (x-fc-error-type)
  2  bad argument, option or configuration, or no credentials (nothing was sent)
  3  FC answered with an error (not found, access denied, throttled, ...)
  4  no answer from FC (network error, timeout)
  5  prefetch or prune did not reach its goal (some sessions failed, or the manifest stayed locked)
  130 interrupted (Ctrl-C); sessions made so far are in the manifest`;

const USAGE = `Usage: fcs <command> [function] [options]

Warm Function Compute sessions and invoke into them.

Commands:
${[
  ...COMMANDS.map((c) => [c.path.join(' '), c.summary] as const),
  ['emulator', 'Run the local FC emulator (see fcs emulator --help)'] as const,
]
  .map(([name, summary]) => `  ${name.padEnd(18)}${summary}`)
  .join('\n')}

Every command takes --help, --json, --endpoint (default $FCS_ENDPOINT), --region,
--access <alias> (a Serverless Devs alias; otherwise the usual credential chain).
Manifests of prefetched sessions: --manifest-dir (default $FCS_MANIFEST_DIR, else .fcs/sessions).

${EXIT_CODES}`;

function commandHelp(spec: CommandSpec): string {
  const flags = flagsFor(spec, 'cli');
  const rows = flags.map((flag: FlagSpec) => [flagUsage(flag), flag.description] as const);
  const width = Math.min(32, Math.max(...rows.map(([usage]) => usage.length)));
  const row = (usage: string, text: string) =>
    usage.length > width ? `  ${usage}\n  ${''.padEnd(width)}  ${text}` : `  ${usage.padEnd(width)}  ${text}`;
  return `Usage: fcs ${spec.path.join(' ')} ${spec.args ?? ''} [options]${spec.alias ? ` (alias: ${spec.alias})` : ''}

${spec.summary}. ${spec.description.replaceAll('\n  ', '\n  fcs ')}

Options:
${rows.map(([usage, text]) => row(usage, text)).join('\n')}
${row('-h, --help', 'show this help')}

${EXIT_CODES}
`;
}

function version(): string {
  return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
}

/** `fcs <argv>`: runs one command and resolves to the process exit code. */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const out = io.stdout ?? process.stdout;
  const err = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const [first, second] = argv;
  if (first === undefined) {
    err.write(`${USAGE}\n`);
    return 2;
  }
  if (first === '-h' || first === '--help' || first === 'help') {
    out.write(`${USAGE}\n`);
    return 0;
  }
  if (first === '-v' || first === '--version') {
    out.write(`${version()}\n`);
    return 0;
  }
  if (first === 'emulator') {
    const emulator = await import('@fc-sessions/emulator/cli');
    return emulator.main(argv.slice(1));
  }
  const pathLength = first === 'session' ? 2 : 1;
  const spec = findCommand(argv.slice(0, pathLength));
  if (!spec) {
    if (first === 'session' && (second === undefined || second.startsWith('-'))) {
      const subs = COMMANDS.filter((c) => c.path[0] === 'session');
      const text = `Usage: fcs session <${subs.map((c) => c.path[1]).join('|')}> [function] [options]\n\n${subs
        .map((c) => `  ${(c.path[1] as string).padEnd(10)}${c.summary}`)
        .join('\n')}\n`;
      const asked = second === '-h' || second === '--help';
      (asked ? out : err).write(text);
      return asked ? 0 : 2;
    }
    err.write(`fcs: unknown command "${argv.slice(0, pathLength).join(' ')}"\n\n${USAGE}\n`);
    return 2;
  }
  const rest = argv.slice(pathLength);
  if (rest.includes('-h') || rest.includes('--help')) {
    out.write(commandHelp(spec));
    return 0;
  }
  const json = rest.includes('--json');
  const format = { color: !json && out.isTTY === true && !env['NO_COLOR'] };
  const { failureOutcome, runCommand } = await import('./commands/run.js');
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  let outcome: Awaited<ReturnType<typeof runCommand>>;
  try {
    const parsed = parseArgs(rest, flagsFor(spec, 'cli'), {
      command: `fcs ${spec.path.join(' ')}`,
      positionals: spec.args ? 1 : 0,
    });
    outcome = await runCommand(spec, parsed, {
      door: 'cli',
      connect: { env },
      baseDir: cwd,
      stdinWhenPiped: true,
      format,
      progress: (line) => err.write(`${line}\n`),
      warning: (line) => err.write(`warning: ${line}\n`),
      signal: controller.signal,
    });
  } catch (error) {
    outcome = failureOutcome(error, format);
    if (controller.signal.aborted) outcome.exitCode = 130;
  } finally {
    process.off('SIGINT', onSignal);
  }
  if (json) out.write(`${JSON.stringify(outcome.data, null, 2)}\n`);
  else {
    out.write(outcome.text);
    if (outcome.errorText) err.write(outcome.errorText);
  }
  return outcome.exitCode;
}
