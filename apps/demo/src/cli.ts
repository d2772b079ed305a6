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
  print(
    `\n${result.ok ? paint(32, '✓') : paint(31, '✗')} ${passed} passed, ${failed} failed; emulator, instances and temp dirs stopped and removed`,
  );
}

/** `pnpm demo`: runs the flow, prints it, exits 0 only when every expectation held. */
async function main(): Promise<number> {
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
    const result = await runFlow({ reporter: consoleReporter, signal: controller.signal });
    summary(result);
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

main().then((code) => {
  process.exitCode = code;
});
