import { connect, createServer } from 'node:net';

/** Asks the OS for a free port on 127.0.0.1 (released again before it is handed to an instance). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Resolves when something accepts connections on `port`; rejects when `deadline` passes or
 * `stillAlive()` turns false (the process exited), polling every few milliseconds.
 */
export async function waitForPort(port: number, deadline: number, stillAlive: () => boolean): Promise<void> {
  let delay = 5;
  while (stillAlive()) {
    if (await canConnect(port)) return;
    if (Date.now() > deadline) throw new Error(`nothing listened on port ${port} in time`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 50);
  }
  throw new Error('the process exited before it listened');
}
