import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The `s` script of the pinned @serverless-devs/s. */
export const S_BIN = join(dirname(require.resolve('@serverless-devs/s/package.json')), 'bin', 's');

export interface SRunOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Aborting stops `s` (SIGTERM); the promise settles once it has exited. */
  readonly signal?: AbortSignal | undefined;
}

export interface SRunResult {
  readonly exitCode: number | null;
  /** stdout and stderr as they came (`s` prints nearly everything to stdout). */
  readonly output: string;
  readonly durationMs: number;
}

/**
 * Runs `s <args>` to its end. All of its output is read: `s` hangs when its stdout is a pipe
 * nobody reads. Rejects with the abort reason when `signal` stopped it.
 */
export function runS(args: readonly string[], options: SRunOptions): Promise<SRunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    options.signal?.throwIfAborted();
    const child = spawn(process.execPath, [S_BIN, ...args], {
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
