import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli.js';
import { DEFAULTS } from '../src/index.js';
import { deploy, invoke } from './helpers/api.js';
import { expectProcessesGone } from './helpers/emulator.js';
import { NODE_HANDLER } from './helpers/functions.js';
import { send } from './helpers/raw.js';

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

  it('refuses bad values naming the flag', () => {
    expect(() => parseCliArgs(['--port', '70000'])).toThrow(/--port must be an integer in \[0, 65535\]/);
    expect(() => parseCliArgs(['--drop-rate', '2'])).toThrow(/--drop-rate/);
    expect(() => parseCliArgs(['--nope'])).toThrow(/nope/);
  });
});

/** Runs the built bin (turbo runs `build` before `test`) and resolves with the endpoint of its ready line. */
function startCli(args: string[]): { child: ChildProcess; ready: Promise<string>; stderr: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /FC emulator listening on (http:\/\/\S+)\n/.exec(out);
      if (match) resolve(match[1]!);
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
    const endpoint = await ready;
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

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
    const listed = (await send(endpoint, { method: 'GET', path: '/_emulator/instances' })).json<{
      instances: Array<{ pid: number }>;
    }>();
    const pids = listed.instances.map((instance) => instance.pid);
    expect(pids).toHaveLength(1);

    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expectProcessesGone(pids);
    expect(stderr()).toMatch(/\[cli-fn c-[0-9a-f-]+\] .*\[INFO\] pre-stop ran/);
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
});
