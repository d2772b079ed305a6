import { type FlowResult, runFlow } from './flow.js';
import type { Check, Reporter } from './report.js';

const color = process.stdout.isTTY && !process.env['NO_COLOR'];
const paint = (code: number, text: string): string => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const consoleReporter: Reporter = {
  step(title, note) {
    print(`\n${paint(1, title)}${note ? `  ${paint(2, note)}` : ''}`);
  },
  check(check: Check) {
    print(`  ${check.ok ? paint(32, '✓') : paint(31, '✗')} ${check.name}`);
    if (!check.ok && check.detail) print(paint(31, check.detail.replace(/^/gm, '      ')));
  },
  note(line) {
    print(paint(2, `  ${line}`));
  },
};

function summary(result: FlowResult): void {
  const failed = result.checks.filter((check) => !check.ok).length;
  const passed = result.checks.length - failed;
  for (const failure of result.cleanupFailures) print(paint(31, `cleanup: ${failure}`));
  const stopped = result.keptEmulator
    ? 'temp dirs removed, emulator still running'
    : 'emulator, instances and temp dirs stopped and removed';
  print(`\n${result.ok ? paint(32, '✓') : paint(31, '✗')} ${passed} passed, ${failed} failed; ${stopped}`);
  if (!result.dashboardUrl) return;
  print(`Dashboard: ${result.dashboardUrl}`);
  if (!result.keptEmulator)
    print(paint(2, '(the emulator has stopped; `pnpm demo --keep` leaves it running for a look)'));
}

/** Until SIGINT or SIGTERM. */
const signalled = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });

/** `pnpm demo [--keep]`: runs the flow, prints it and the dashboard URL, exits 0 only when every expectation held. */
async function main(argv: readonly string[]): Promise<number> {
  const unknown = argv.filter((arg) => arg !== '--keep');
  if (unknown.length > 0) {
    print(`demo: unknown argument ${unknown[0]}; usage: pnpm demo [--keep]  (--keep leaves the emulator running)`);
    return 2;
  }
  const keepEmulator = argv.includes('--keep');
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    print(`\n${signal}: stopping the demo and cleaning up (again to quit at once)`);
    controller.abort(new Error(`stopped by ${signal}`));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  print(paint(1, 'fc-sessions demo: sample apps on the embedded FC emulator'));
  try {
    const result = await runFlow({ reporter: consoleReporter, signal: controller.signal, keepEmulator });
    summary(result);
    if (result.keptEmulator) {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      print(`the emulator keeps running at ${result.endpoint}; Ctrl-C stops it`);
      await signalled();
      await result.keptEmulator.stop();
      print('emulator stopped');
    }
    return result.ok ? 0 : 1;
  } catch (error) {
    if (controller.signal.aborted) {
      print('stopped; everything the demo started is gone');
      return 130;
    }
    print(paint(31, `demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
