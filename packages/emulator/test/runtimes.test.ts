import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, deploy, invoke } from './helpers/api.js';
import { startTestEmulator, type TestEmulator, waitFor } from './helpers/emulator.js';
import { CUSTOM_SERVER, NODE_HANDLER } from './helpers/functions.js';

describe('instances', () => {
  let t: TestEmulator;
  const lines: string[] = [];
  beforeAll(async () => {
    t = await startTestEmulator({ onInstanceLog: (line) => lines.push(line), instanceIdleSeconds: 1 });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('runs a custom runtime: its command, FC env and headers, /initialize, /invoke', async () => {
    await deploy(
      t.emulator,
      {
        functionName: 'custom-fn',
        runtime: 'custom.debian12',
        handler: 'index.handler',
        customRuntimeConfig: { command: ['node'], args: ['/code/server.js'], port: 9000 },
        instanceLifecycleConfig: {
          initializer: { handler: 'init', timeout: 3 },
          preStop: { handler: 'stop', timeout: 2 },
        },
        environmentVariables: { MODE: 'test' },
      },
      { 'server.js': CUSTOM_SERVER },
    );
    const response = await invoke(t.emulator, 'custom-fn', 'payload-1', { 'x-fc-log-type': 'Tail', 'x-trace': 'abc' });
    expect(response.status).toBe(200);
    expect(response.headers['x-fc-error-type']).toBeUndefined();
    const answer = response.json<{
      instanceId: string;
      initialized: boolean;
      method: string;
      url: string;
      body: string;
      headers: Record<string, string>;
    }>();
    expect(answer).toMatchObject({ method: 'POST', url: '/invoke', body: 'payload-1', initialized: true });
    expect(answer.instanceId).toBe(response.headers['x-fc-instance-id']);
    expect(answer.headers).toMatchObject({
      'x-fc-request-id': response.headers['x-fc-request-id'],
      'x-fc-function-name': 'custom-fn',
      'x-fc-function-handler': 'index.handler',
      'x-fc-account-id': t.emulator.accountId,
      'x-fc-region': t.emulator.region,
      'x-fc-control-path': '/invoke',
      'x-fc-qualifier': 'LATEST',
      'x-trace': 'abc',
    });
    expect(answer.headers['authorization']).toBeUndefined();
    expect(Object.keys(answer.headers).some((name) => name.startsWith('x-acs-'))).toBe(false);
    const log = Buffer.from(String(response.headers['x-fc-log-result']), 'base64').toString();
    expect(log).toContain('custom got payload-1');
    expect(response.headers['x-fc-max-memory-usage']).toMatch(/^\d+\.\d\d$/);
  });

  it('reports x-fc-status 404 as a function error', async () => {
    const response = await invoke(t.emulator, 'custom-fn', 'fail');
    expect(response.status).toBe(200);
    expect(response.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
  });

  it('runs a nodejs20 handler with FC context, initializer and callback-style errors', async () => {
    await deploy(
      t.emulator,
      {
        functionName: 'node-fn',
        runtime: 'nodejs20',
        handler: 'index.handler',
        timeout: 1,
        instanceLifecycleConfig: { initializer: { handler: 'index.initialize', timeout: 3 } },
      },
      { 'index.js': NODE_HANDLER },
    );
    const response = await invoke(t.emulator, 'node-fn', 'hello');
    const answer = response.json();
    expect(answer).toMatchObject({
      event: 'hello',
      functionName: 'node-fn',
      accountId: t.emulator.accountId,
      initialized: true,
    });
    expect(answer['requestId']).toBe(response.headers['x-fc-request-id']);
  });

  it('passes a body of megabytes to the Node.js host and back, through frames that take many reads', async () => {
    await deploy(
      t.emulator,
      { functionName: 'node-big', runtime: 'nodejs20', handler: 'index.handler', timeout: 30 },
      { 'index.js': NODE_HANDLER },
    );
    const event = 'x'.repeat(2 * 1024 * 1024 + 3);
    const response = await invoke(t.emulator, 'node-big', event);
    expect(response.status).toBe(200);
    expect(response.json()['event']).toBe(event);
  });

  it('answers a timeout with an error and replaces the instance', async () => {
    const before = (await invoke(t.emulator, 'node-fn', 'warm')).headers['x-fc-instance-id'];
    t.notePids();
    const response = await invoke(t.emulator, 'node-fn', 'sleep');
    expect(response.status).toBe(200);
    expect(response.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    expect(response.json()['errorMessage']).toContain('timed out after 1 seconds');
    const after = await invoke(t.emulator, 'node-fn', 'fresh');
    expect(after.status).toBe(200);
    expect(after.headers['x-fc-instance-id']).not.toBe(before);
    expect(after.json()['count']).toBe(1);
  });

  it('answers a crash with a clear error and replaces the instance', async () => {
    const response = await invoke(t.emulator, 'node-fn', 'crash');
    expect(response.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    expect(response.json()['errorMessage']).toContain('exited unexpectedly (code 3)');
    expect((await invoke(t.emulator, 'node-fn', 'again')).status).toBe(200);
  });

  it('reports a failing initializer as InitializationError', async () => {
    await deploy(
      t.emulator,
      {
        functionName: 'bad-init',
        runtime: 'nodejs20',
        handler: 'index.handler',
        instanceLifecycleConfig: { initializer: { handler: 'index.nope', timeout: 3 } },
      },
      { 'index.js': NODE_HANDLER },
    );
    const response = await invoke(t.emulator, 'bad-init', 'x');
    expect(response.headers['x-fc-error-type']).toBe('InitializationError');
  });

  it('reports a command that never listens as an initialization error, with its output', async () => {
    await deploy(
      t.emulator,
      {
        functionName: 'no-listen',
        runtime: 'custom.debian12',
        handler: 'x',
        customRuntimeConfig: { command: ['node', '-e', 'console.log("oops"); process.exit(4)'] },
      },
      { README: 'nothing' },
    );
    const response = await invoke(t.emulator, 'no-listen', 'x');
    expect(response.headers['x-fc-error-type']).toBe('InitializationError');
    expect(response.json()['errorMessage']).toContain('oops');
  });

  it('runs pre-stop hooks and reclaims idle instances without sessions', async () => {
    t.notePids();
    await waitFor(() => t.emulator.instances().length === 0, 8000, 'idle instances to be reclaimed');
    await waitFor(() => lines.includes('custom pre-stop'), 2000, 'the custom pre-stop hook');
  });

  it('passes instanceConcurrency requests to one instance at once', async () => {
    await deploy(
      t.emulator,
      {
        functionName: 'concurrent',
        runtime: 'custom.debian12',
        handler: 'x',
        instanceConcurrency: 10,
        customRuntimeConfig: { command: ['node', 'server.js'] },
      },
      { 'server.js': CUSTOM_SERVER },
    );
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => invoke(t.emulator, 'concurrent', `n${i}`)));
    expect(answers.every((response) => response.status === 200)).toBe(true);
    expect(new Set(answers.map((response) => response.headers['x-fc-instance-id'])).size).toBeLessThanOrEqual(2);
    const deleted = await call(t.emulator, 'DELETE', '/2023-03-30/functions/concurrent', 'DeleteFunction');
    expect(deleted.status).toBe(204);
  });
});

describe('requests waiting for an instance that fails to start', () => {
  it('all get the initialization error', async () => {
    const t = await startTestEmulator();
    try {
      await deploy(
        t.emulator,
        {
          functionName: 'never-ready',
          runtime: 'custom.debian12',
          handler: 'x',
          customRuntimeConfig: { command: ['node', '-e', 'setTimeout(() => process.exit(5), 200)'] },
        },
        { README: 'nothing' },
      );
      const answers = await Promise.all(Array.from({ length: 4 }, () => invoke(t.emulator, 'never-ready', 'x')));
      expect(answers.map((response) => [response.status, response.headers['x-fc-error-type']])).toEqual(
        answers.map(() => [200, 'InitializationError']),
      );
    } finally {
      await t.stop();
    }
  });
});

describe('output of a Node.js handler', () => {
  const LINES = 40_000;
  // 40000 numbered lines of 1 KiB with the `<time> <requestId> [INFO] ` prefix; 10 for a warm-up.
  const PRINTER = `
exports.handler = async (event) => {
  const pad = 'x'.repeat(1024 - 8);
  const lines = String(event) === 'go' ? ${LINES} : 10;
  for (let i = 0; i < lines; i++) console.log(String(i).padStart(8, '0') + pad);
  return 'printed';
};
`;
  /** The process's peak resident memory so far (Linux). */
  const peakRss = async (pid: number) =>
    Number(/VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;

  it('holds little of what a handler prints in a tight loop', async () => {
    // Counted, not kept: the test holds no copy of the 40 MB.
    const seen = new Uint8Array(LINES);
    let whole = 0;
    let broken = 0;
    const t = await startTestEmulator({
      onInstanceLog: (line) => {
        const text = line.split(' ', 4)[3];
        if (!text?.endsWith('x')) return;
        const n = Number(text.slice(0, 8));
        if (text.length === 1024 && Number.isInteger(n) && n < LINES && seen[n] === 0) {
          seen[n] = 1;
          whole++;
        } else broken++;
      },
    });
    try {
      await deploy(
        t.emulator,
        { functionName: 'printer', runtime: 'nodejs20', handler: 'index.handler', timeout: 60 },
        { 'index.js': PRINTER },
      );
      expect((await invoke(t.emulator, 'printer', 'warm-up')).status).toBe(200);
      await waitFor(() => whole === 10, 10_000, 'the warm-up lines');
      whole = 0;
      seen.fill(0);
      const pid = t.emulator.instances()[0]!.pid!;
      const linux = process.platform === 'linux';
      const instanceBefore = linux ? await peakRss(pid) : 0;
      const before = process.memoryUsage().arrayBuffers;
      let buffers = before;
      const sampler = setInterval(() => {
        buffers = Math.max(buffers, process.memoryUsage().arrayBuffers);
      }, 5);
      try {
        expect((await invoke(t.emulator, 'printer', 'go')).status).toBe(200);
        await waitFor(() => whole === LINES, 30_000, `all ${LINES} lines`);
      } finally {
        clearInterval(sampler);
      }
      expect(broken).toBe(0);
      // Without a bound on the Node.js host's channel backlog: 18-26 MiB here, the instance 120 MiB.
      expect(buffers - before).toBeLessThan(20 * 1024 * 1024);
      if (linux) expect((await peakRss(pid)) - instanceBefore).toBeLessThan(48 * 1024 * 1024);
    } finally {
      await t.stop();
    }
  }, 90_000);
});
