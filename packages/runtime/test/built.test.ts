import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc3Env, fc3Headers, INSTANCE_ID, REQUEST_ID } from '@fc-sessions/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { send } from './http.js';

// These tests run the built package (`dist/`), as FC and the emulator do: build before testing.
const dist = new URL('../dist/', import.meta.url);

describe('built package', () => {
  it('shares one request scope between its ESM and CommonJS builds', async () => {
    const esm = await import(new URL('index.js', dist).href);
    const cjs = createRequire(import.meta.url)(new URL('index.cjs', dist).pathname);
    const request = esm.readRequest(fc3Headers, { env: {} });
    expect(esm.runWithRequest(request, () => cjs.currentRequest())).toBe(request);
  });
});

/** A custom-runtime app as a user writes it, started the way FC starts one: `node app`, FC's env, a port. */
class Instance {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #child: ChildProcess;
  #waiters: Array<() => void> = [];

  constructor(dir: string, file: string, source: string) {
    writeFileSync(join(dir, file), source);
    this.#child = spawn(process.execPath, [file], {
      cwd: dir,
      env: { PATH: process.env['PATH'], ...fc3Env, FC_CUSTOM_LISTEN_PORT: '0', FCS_LISTEN_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let pending = '';
    const onData = (chunk: Buffer) => {
      pending += chunk.toString();
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      this.lines.push(...parts);
      for (const wake of this.#waiters.splice(0)) wake();
    };
    this.#child.stdout!.on('data', onData);
    this.#child.stderr!.on('data', onData);
    this.exited = new Promise((resolve) => this.#child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Resolves with the first output line matching `pattern`; rejects if the process exits first. */
  async line(pattern: RegExp): Promise<string> {
    let exited = false;
    void this.exited.then(() => {
      exited = true;
      for (const wake of this.#waiters.splice(0)) wake();
    });
    for (;;) {
      const found = this.lines.find((line) => pattern.test(line));
      if (found !== undefined) return found;
      if (exited) throw new Error(`exited before printing ${pattern}:\n${this.lines.join('\n')}`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  signal(name: NodeJS.Signals): void {
    this.#child.kill(name);
  }

  stop(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
  }
}

describe('serve in a child process, as FC runs a custom runtime', () => {
  let dir: string;
  const instances: Instance[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fcs-runtime-'));
  });
  afterEach(async () => {
    for (const instance of instances.splice(0)) {
      instance.stop();
      await instance.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  function start(file: string, source: string): Instance {
    const instance = new Instance(dir, file, source);
    instances.push(instance);
    return instance;
  }

  it('serves a CommonJS app with FC env and headers, logging in FC format', async () => {
    const app = start(
      'app.cjs',
      `const { serve } = require(${JSON.stringify(new URL('serve.cjs', dist).pathname)});
const { logger } = require(${JSON.stringify(new URL('index.cjs', dist).pathname)});
serve({
  invoke: (event, { invocation }) => {
    logger.info('event', event.toString());
    return { requestId: invocation.requestId, instanceId: invocation.instanceId, memory: invocation.memoryMB };
  },
}).then((server) => console.log('ready ' + server.url));
`,
    );
    const url = (await app.line(/^ready /)).slice('ready '.length);
    const reply = await send(url, { method: 'POST', path: '/invoke', headers: fc3Headers, body: 'hello' });
    expect(JSON.parse(reply.body)).toEqual({ requestId: REQUEST_ID, instanceId: INSTANCE_ID, memory: 512 });
    await app.line(/^FC Invoke End RequestId: /);
    const own = app.lines.filter((line) => line.includes(REQUEST_ID));
    expect(own[0]).toBe(`FC Invoke Start RequestId: ${REQUEST_ID}`);
    expect(own[1]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${REQUEST_ID} \\[INFO\\] event hello$`));
    expect(own[2]).toBe(`FC Invoke End RequestId: ${REQUEST_ID}`);
  });

  it('on SIGTERM finishes the running request, then exits by the signal', async () => {
    const app = start(
      'app.mjs',
      `import { serve } from ${JSON.stringify(new URL('serve.js', dist).href)};
const terminated = new Promise((resolve) => process.once('SIGTERM', resolve));
const server = await serve({
  invoke: async (event) => {
    if (event.toString() === 'wait-for-sigterm') await terminated;
    return 'finished';
  },
});
console.log('ready ' + server.url);
`,
    );
    const url = (await app.line(/^ready /)).slice('ready '.length);
    const reply = send(url, { method: 'POST', path: '/invoke', headers: fc3Headers, body: 'wait-for-sigterm' });
    await app.line(/^FC Invoke Start RequestId: /);
    app.signal('SIGTERM');
    expect((await reply).body).toBe('finished');
    expect(await app.exited).toEqual({ code: null, signal: 'SIGTERM' });
  });
});
