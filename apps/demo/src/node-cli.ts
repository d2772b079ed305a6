import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const packageDir = (name: string): string => dirname(require.resolve(`${name}/package.json`));

/** The `s` script of the pinned @serverless-devs/s. */
export const S_BIN = join(packageDir('@serverless-devs/s'), 'bin', 's');
/** The `osls` script (Serverless Framework fork that runs offline). */
export const OSLS_BIN = join(packageDir('osls'), 'bin', 'serverless.js');

export interface RunOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Aborting stops the command (SIGTERM); the promise settles once it has exited. */
  readonly signal?: AbortSignal | undefined;
}

export interface RunResult {
  readonly exitCode: number | null;
  /** stdout and stderr as they came. */
  readonly output: string;
  readonly durationMs: number;
}

/**
 * Runs a Node CLI script to its end with this Node. All of its output is read: `s` hangs when its
 * stdout is a pipe nobody reads. Rejects with the abort reason when `signal` stopped it.
 */
export function runNodeCli(script: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    options.signal?.throwIfAborted();
    const child = spawn(process.execPath, [script, ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    const stop = () => child.kill('SIGTERM');
    options.signal?.addEventListener('abort', stop, { once: true });
    child.on('error', (error) => {
      options.signal?.removeEventListener('abort', stop);
      reject(error);
    });
    child.on('close', (exitCode) => {
      options.signal?.removeEventListener('abort', stop);
      if (options.signal?.aborted) reject(options.signal.reason);
      else resolve({ exitCode, output: Buffer.concat(chunks).toString('utf8'), durationMs: Date.now() - started });
    });
  });
}
