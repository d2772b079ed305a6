import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

export interface RunningCustomRuntime {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Sends SIGTERM (the runtime's pre-stop path) and waits for the process to exit. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts a custom-runtime program (`node <entry>`) the way FC does: a port in
 * `FC_CUSTOM_LISTEN_PORT`, kept on loopback with `FCS_LISTEN_HOST=127.0.0.1`, plus `env`.
 * Resolves once it answers HTTP; rejects if it exits or does not listen within `timeoutMs`.
 */
export async function startCustomRuntime(
  entry: string,
  env: Readonly<Record<string, string>> = {},
  timeoutMs = 10_000,
): Promise<RunningCustomRuntime> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, FC_CUSTOM_LISTEN_PORT: String(port), FCS_LISTEN_HOST: '127.0.0.1', ...env },
    stdio: 'ignore',
  });
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with code ${child.exitCode} before listening`);
    try {
      await fetch(url, { method: 'HEAD' });
      return { url, stop };
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`${entry} did not listen on ${url} within ${timeoutMs} ms`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
