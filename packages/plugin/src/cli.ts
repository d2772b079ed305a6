import { flagUsage, parseArgs } from './commands/args.js';
import { type CommandInfo, commandFlags, flagSource, type RunOutcome } from './commands/define.js';
import { commandGroups, findIn, subcommands } from './commands/paths.js';
import { COMMAND_TABLE } from './commands/table.js';
import { EXIT, invalidArgument } from './core/errors.js';
import { commandSynopsis, commonOptions, EMULATOR_COMMAND } from './settings/docs.js';

/** package.json's `version`, written in by the build (and by the test config). */
declare const __FCS_PACKAGE_VERSION__: string;

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
  130 interrupted (Ctrl-C, SIGTERM); sessions made so far are in the manifest`;

function usage(): string {
  return `Usage: fcs <command> <function> [options]

Warm Function Compute sessions and invoke into them.

Commands:
${[
  ...COMMAND_TABLE.map(({ definition: d }) => [d.path.join(' '), d.summary] as const),
  [EMULATOR_COMMAND.path[0], EMULATOR_COMMAND.summary] as const,
]
  .map(([name, summary]) => `  ${name.padEnd(18)}${summary}`)
  .join('\n')}

${commonOptions().join('\n')}
  -a <alias> is a Serverless Devs alias; without it, the usual credential chain is used.

${EXIT_CODES}`;
}

function commandHelp(spec: CommandInfo): string {
  const rows = commandFlags(spec, 'cli').map((flag) => [flagUsage(flag), flag.doc] as const);
  const width = Math.min(32, Math.max(...rows.map(([usage]) => usage.length)));
  const row = (usage: string, text: string) =>
    usage.length > width ? `  ${usage}\n  ${''.padEnd(width)}  ${text}` : `  ${usage.padEnd(width)}  ${text}`;
  const alias = spec.alias ? `\n  (fcs ${[...spec.path.slice(0, -1), spec.alias].join(' ')} works too)` : '';
  return `Usage:
${commandSynopsis(spec)
  .map((line) => `  ${line}`)
  .join('\n')}${alias}

${spec.summary}. ${spec.description.replaceAll('\n  ', '\n  fcs ')}

Options:
${rows.map(([usage, text]) => row(usage, text)).join('\n')}
${row('-h, --help', 'show this help')}

${EXIT_CODES}
`;
}

/** `fcs <argv>`: runs one command and resolves to the process exit code. */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const out = io.stdout ?? process.stdout;
  const err = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const [first, second] = argv;
  if (first === undefined) {
    err.write(`${usage()}\n`);
    return 2;
  }
  if (first === '-h' || first === '--help' || first === 'help') {
    out.write(`${usage()}\n`);
    return 0;
  }
  if (first === '-v' || first === '--version') {
    out.write(`${__FCS_PACKAGE_VERSION__}\n`);
    return 0;
  }
  if (first === 'emulator') {
    const emulator = await import('@fc-sessions/emulator/cli');
    return emulator.main(argv.slice(1));
  }
  const isGroup = commandGroups(COMMAND_TABLE).includes(first);
  const pathLength = isGroup ? 2 : 1;
  const entry = findIn(COMMAND_TABLE, argv.slice(0, pathLength));
  if (!entry) {
    if (isGroup && (second === undefined || second.startsWith('-'))) {
      const subs = COMMAND_TABLE.map((c) => c.definition).filter((d) => d.path[0] === first && d.path.length === 2);
      const text = `Usage: fcs ${first} <${subcommands(COMMAND_TABLE, first).join('|')}> <function> [options]\n\n${subs
        .map((d) => `  ${(d.path[1] as string).padEnd(10)}${d.summary}`)
        .join('\n')}\n`;
      const asked = second === '-h' || second === '--help';
      (asked ? out : err).write(text);
      return asked ? 0 : 2;
    }
    err.write(`fcs: unknown command "${argv.slice(0, pathLength).join(' ')}"\n\n${usage()}\n`);
    return 2;
  }
  const rest = argv.slice(pathLength);
  const command = await entry.load();
  const { definition } = command;
  if (rest.includes('-h') || rest.includes('--help')) {
    out.write(commandHelp(definition));
    return 0;
  }
  const json = rest.includes('--json');
  const format = { color: !json && out.isTTY === true && !env['NO_COLOR'] };
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const statusLine = !json && (err as { isTTY?: boolean }).isTTY === true;
  const report = (data: unknown, line: string) => {
    if (json) out.write(`${JSON.stringify(data)}\n`);
    else err.write(statusLine ? `\r\u001b[K${line}` : `${line}\n`);
  };
  let outcome: RunOutcome;
  try {
    const flags = commandFlags(definition, 'cli');
    const { values, positionals } = parseArgs(rest, flags, {
      command: `fcs ${definition.path.join(' ')}`,
      positionals: definition.manyFunctions ? Number.POSITIVE_INFINITY : 1,
    });
    const [named] = positionals;
    const functions = definition.manyFunctions && positionals.length > 0 ? { functionNames: positionals } : {};
    if (named !== undefined && values['functionName'] !== undefined && values['functionName'] !== named) {
      throw invalidArgument(
        '--function-name',
        values['functionName'],
        `names another function than the argument "${named}"`,
      );
    }
    outcome = await command.execute(
      [flagSource(values, flags), { values: { functionName: named, ...functions }, name: () => 'function' }],
      {
        connect: { env },
        functionHint: 'the first argument or --function-name',
        baseDir: cwd,
        stdinWhenPiped: true,
        format,
        progress: (line) => err.write(`${line}\n`),
        warning: (line) => err.write(`warning: ${line}\n`),
        signal: controller.signal,
        report,
      },
    );
  } catch (error) {
    const { failureOutcome } = await import('./commands/outcome.js');
    outcome = failureOutcome(error, format);
    if (controller.signal.aborted) outcome.exitCode = EXIT.interrupted;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (statusLine && definition.streams) err.write('\n');
  }
  if (definition.streams && !outcome.errorText) return outcome.exitCode;
  if (json) out.write(`${JSON.stringify(outcome.data, null, 2)}\n`);
  else {
    out.write(outcome.text);
    if (outcome.errorText) err.write(outcome.errorText);
  }
  return outcome.exitCode;
}
