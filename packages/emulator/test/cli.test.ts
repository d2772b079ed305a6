import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli.js';
import { DEFAULTS } from '../src/index.js';
import { call, deploy, deploySessionFunction, invoke } from './helpers/api.js';
import { expectProcessesGone } from './helpers/emulator.js';
import { CUSTOM_SERVER, NODE_HANDLER } from './helpers/functions.js';
import { send, sendAdmin } from './helpers/raw.js';

const BIN = fileURLToPath(new URL('../bin/fcs-emulator.mjs', import.meta.url));

describe('parseCliArgs', () => {
  it('uses the documented defaults', () => {
    const options = parseCliArgs([]);
    expect(options).toMatchObject({ host: '127.0.0.1', port: 9100, dataDir: DEFAULTS.cliDataDir });
  });

  it('maps fault flags to rules', () => {
    const options = parseCliArgs([
      '--throttle-rate',
      '0.5',
      '--fault-action',
      'InvokeFunction',
      '--create-session-latency-ms',
      '200',
      '--fault-seed',
      '7',
      '--quiet',
    ]);
    expect(options).toMatchObject({
      faults: {
        seed: 7,
        rules: [
          { action: 'InvokeFunction', throttleRate: 0.5 },
          { action: 'CreateSession', latencyMs: 200 },
        ],
      },
    });
  });

  it('takes the access key secret from a file or $FCS_EMULATOR_ACCESS_KEY_SECRET, not only a flag', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fcs-secret-'));
    try {
      const file = join(dir, 'secret');
      await writeFile(file, 'fromTheFile0001\n', { mode: 0o600 });
      expect(parseCliArgs(['--access-key-secret-file', file], {})).toMatchObject({
        accessKeySecret: 'fromTheFile0001',
      });
      expect(parseCliArgs([], { FCS_EMULATOR_ACCESS_KEY_SECRET: 'fromTheEnv0001' })).toMatchObject({
        accessKeySecret: 'fromTheEnv0001',
      });
      expect(parseCliArgs(['--access-key-secret', 'flag'], { FCS_EMULATOR_ACCESS_KEY_SECRET: 'env' })).toMatchObject({
        accessKeySecret: 'flag',
      });
      expect(parseCliArgs([], {})).not.toHaveProperty('accessKeySecret');
      expect(() => parseCliArgs(['--access-key-secret-file', join(dir, 'missing')], {})).toThrow(
        /--access-key-secret-file: cannot read .*ENOENT/,
      );
      expect(() => parseCliArgs(['--access-key-secret', 'a', '--access-key-secret-file', file], {})).toThrow(
        /not both/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('maps --admin-api and --allow-remote', () => {
    expect(parseCliArgs(['--admin-api', 'off'])).toMatchObject({ adminApi: false });
    expect(parseCliArgs(['--admin-api', 'on'])).toMatchObject({ adminApi: true });
    expect(parseCliArgs(['--sync-state'])).toMatchObject({ syncState: true });
    expect(parseCliArgs([])).not.toHaveProperty('syncState');
    expect(parseCliArgs(['--host', '0.0.0.0', '--allow-remote'])).toMatchObject({ host: '0.0.0.0', allowRemote: true });
    expect(() => parseCliArgs(['--admin-api', 'maybe'])).toThrow(/--admin-api must be on or off/);
  });

  it('refuses bad values naming the flag', () => {
    expect(() => parseCliArgs(['--port', '70000'])).toThrow(/--port must be an integer in \[0, 65535\]/);
    expect(() => parseCliArgs(['--drop-rate', '2'])).toThrow(/--drop-rate/);
    expect(() => parseCliArgs(['--nope'])).toThrow(/nope/);
  });
});

/** Runs the built bin (turbo runs `build` before `test`) and resolves with the endpoint of its ready line and the dashboard URL after it. */
function startCli(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { child: ChildProcess; ready: Promise<{ endpoint: string; dashboard: string }>; stderr: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const ready = new Promise<{ endpoint: string; dashboard: string }>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /FC emulator listening on (http:\/\/\S+)\nDashboard: (http:\/\/\S+)\n/.exec(out);
      if (match) resolve({ endpoint: match[1]!, dashboard: match[2]! });
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${err}`)));
  });
  return { child, ready, stderr: () => err };
}

describe('fcs-emulator (the package bin)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('prints the ready line, serves the API, and on SIGTERM runs pre-stop hooks, stops its instances and exits 0', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fcs-cli-'));
    dirs.push(dataDir);
    const { child, ready, stderr } = startCli(['--port', '0', '--data-dir', dataDir, '--instance-idle-seconds', '600']);
    const { endpoint, dashboard } = await ready;
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const adminToken = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim();
    expect(dashboard).toBe(`${endpoint}/_emulator/ui?token=${adminToken}`);

    const emulator = {
      endpoint,
      credentials: { accessKeyId: DEFAULTS.accessKeyId, accessKeySecret: DEFAULTS.accessKeySecret },
    };
    await deploy(
      emulator,
      {
        functionName: 'cli-fn',
        runtime: 'nodejs20',
        handler: 'index.handler',
        instanceLifecycleConfig: { preStop: { handler: 'index.preStop', timeout: 2 } },
      },
      { 'index.js': NODE_HANDLER },
    );
    expect((await invoke(emulator, 'cli-fn', 'hi')).status).toBe(200);
    expect((await send(endpoint, { method: 'GET', path: '/_emulator/instances' })).status).toBe(403);
    const listed = (await sendAdmin({ endpoint, adminToken }, 'GET', '/_emulator/instances')).json<{
      instances: Array<{ pid: number }>;
    }>();
    const pids = listed.instances.map((instance) => instance.pid);
    expect(pids).toHaveLength(1);

    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expectProcessesGone(pids);
    await expect(readFile(join(dataDir, 'admin-token'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(stderr()).toMatch(/\[cli-fn c-[0-9a-f-]+\] .*\[INFO\] pre-stop ran/);
  });

  it('killed with SIGKILL (no exit hook runs), leaves no instance running: Node.js and custom runtimes', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fcs-cli-'));
    dirs.push(dataDir);
    const { child, ready } = startCli(['--port', '0', '--data-dir', dataDir, '--instance-idle-seconds', '600']);
    const { endpoint } = await ready;
    const adminToken = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim();
    const emulator = {
      endpoint,
      credentials: { accessKeyId: DEFAULTS.accessKeyId, accessKeySecret: DEFAULTS.accessKeySecret },
    };
    await deploy(
      emulator,
      { functionName: 'node-fn', runtime: 'nodejs20', handler: 'index.handler' },
      {
        'index.js': NODE_HANDLER,
      },
    );
    await deploy(
      emulator,
      {
        functionName: 'custom-fn',
        runtime: 'custom.debian12',
        handler: 'index.handler',
        customRuntimeConfig: { command: ['node'], args: ['/code/server.js'], port: 9000 },
      },
      { 'server.js': CUSTOM_SERVER },
    );
    expect((await invoke(emulator, 'node-fn', 'hi')).status).toBe(200);
    expect((await invoke(emulator, 'custom-fn', 'hi')).status).toBe(200);
    const listed = (await sendAdmin({ endpoint, adminToken }, 'GET', '/_emulator/instances')).json<{
      instances: Array<{ pid: number }>;
    }>();
    const pids = listed.instances.map((instance) => instance.pid);
    expect(pids).toHaveLength(2);

    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
    // A child the emulator left is reparented; until its new parent reaps it, it shows as a zombie.
    const living = (pid: number) => {
      try {
        return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    const deadline = Date.now() + 5000;
    while (pids.some(living) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pids.filter(living)).toEqual([]);
  });

  it('killed with SIGKILL, loses no session change it answered: the restart reads state.json and its journal', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fcs-cli-'));
    dirs.push(dataDir);
    const target = (endpoint: string) => ({
      endpoint,
      credentials: { accessKeyId: DEFAULTS.accessKeyId, accessKeySecret: DEFAULTS.accessKeySecret },
    });
    const sessions = '/2023-03-30/functions/kept-fn/sessions';
    const flags = ['--port', '0', '--data-dir', dataDir];
    const first = startCli(flags);
    const before = target((await first.ready).endpoint);
    await deploySessionFunction(before, 'kept-fn');
    for (const sessionId of ['a', 'b', 'c'])
      expect(
        (await call(before, 'POST', sessions, 'CreateSession', { sessionId, disableSessionIdReuse: sessionId === 'c' }))
          .status,
      ).toBe(200);
    expect((await call(before, 'PUT', `${sessions}/b/pause`, 'PauseSession')).status).toBe(200);
    expect((await call(before, 'DELETE', `${sessions}/c`, 'DeleteSession')).status).toBe(204);
    const exited = new Promise<void>((resolve) => first.child.once('exit', () => resolve()));
    first.child.kill('SIGKILL');
    await exited;

    const second = startCli(flags);
    const after = target((await second.ready).endpoint);
    try {
      const listed = (await call(after, 'GET', sessions, 'ListSessions')).json<{
        sessions: Array<{ sessionId: string; sessionStatus: string }>;
      }>();
      expect(listed.sessions.map((session) => `${session.sessionId}:${session.sessionStatus}`)).toEqual([
        'a:Active',
        'b:Paused',
      ]);
      expect((await call(after, 'POST', sessions, 'CreateSession', { sessionId: 'c' })).status).toBe(409);
    } finally {
      const stopped = new Promise<void>((resolve) => second.child.once('exit', () => resolve()));
      second.child.kill('SIGTERM');
      await stopped;
    }
    // A clean stop folds the journal into state.json.
    expect((await readdir(dataDir)).filter((name) => name.startsWith('state.journal'))).toEqual([]);
  });

  it('exits 2 with the usage on a bad flag', async () => {
    const child = spawn(process.execPath, [BIN, '--port', 'x'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('--port must be an integer');
    expect(err).toContain('Usage: fcs emulator');
  });

  it('will not listen beyond this machine without --allow-remote', async () => {
    const child = spawn(process.execPath, [BIN, '--host', '0.0.0.0', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(err).toMatch(/host "0\.0\.0\.0" is not a loopback address.*--allow-remote/);
  });
});
