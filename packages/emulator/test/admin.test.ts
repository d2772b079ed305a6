import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/index.js';
import { deploy, invoke } from './helpers/api.js';
import { startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { NODE_HANDLER } from './helpers/functions.js';
import { send, sendAdmin } from './helpers/raw.js';

describe('the admin API needs the admin token', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startTestEmulator();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('refuses every admin route without it (minting STS keys included) and with a wrong one', async () => {
    for (const [method, path] of [
      ['GET', '/_emulator/health'],
      ['GET', '/_emulator/instances'],
      ['PUT', '/_emulator/faults'],
      ['POST', '/_emulator/sts'],
      ['GET', '/_emulator/ui'],
      ['GET', '/_emulator/ui?token=wrong'],
    ] as const) {
      const bare = await send(t.emulator.endpoint, { method, path, body: '{}' });
      expect({ path, status: bare.status, code: bare.json()['Code'] }).toEqual({
        path,
        status: 403,
        code: 'AccessDenied',
      });
    }
    const wrong = await sendAdmin(
      { endpoint: t.emulator.endpoint, adminToken: 'x'.repeat(32) },
      'GET',
      '/_emulator/health',
    );
    expect(wrong.status).toBe(403);
    expect(wrong.json()['Message']).toContain('Authorization: Bearer');
    expect((await sendAdmin(t.emulator, 'GET', '/_emulator/health')).status).toBe(200);
  });

  it('writes the token to <dataDir>/admin-token (0600), keeps it out of JSON and inspect, and removes it on stop', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fcs-admin-'));
    try {
      const emulator = await startEmulator({ dataDir });
      const file = join(dataDir, 'admin-token');
      expect((await readFile(file, 'utf8')).trim()).toBe(emulator.adminToken);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(emulator.dashboardUrl).toBe(`${emulator.endpoint}/_emulator/ui?token=${emulator.adminToken}`);
      expect(JSON.stringify(emulator)).not.toContain(emulator.adminToken);
      expect(inspect(emulator, { depth: 5 })).not.toContain(emulator.adminToken);
      const first = emulator.adminToken;
      await emulator.stop();
      await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });

      const again = await startEmulator({ dataDir });
      expect(again.adminToken).not.toBe(first);
      await again.stop();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('emulator start-up guards', () => {
  it('serves no admin API, and writes no token, with adminApi: false', async () => {
    const emulator = await startEmulator({ adminApi: false });
    try {
      expect(emulator.adminToken).toBeUndefined();
      expect(emulator.dashboardUrl).toBeUndefined();
      expect(await readdir(emulator.dataDir)).not.toContain('admin-token');
      const response = await send(emulator.endpoint, { method: 'GET', path: '/_emulator/health' });
      expect(response.status).toBe(404);
    } finally {
      await emulator.stop();
    }
  });

  it('refuses a host other than loopback unless allowRemote is set, before it listens', async () => {
    await expect(startEmulator({ host: '0.0.0.0' })).rejects.toThrow(
      /host "0.0.0.0" is not a loopback address.*allowRemote/,
    );
    await expect(startEmulator({ host: '192.168.1.10' })).rejects.toThrow(/allowRemote/);
  });

  it('removes the state.json.*.tmp files and code staging folders a killed emulator left', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fcs-stale-'));
    try {
      await writeFile(join(dataDir, 'state.json.0123abcd.tmp'), '{"half":');
      await mkdir(join(dataDir, 'code', 'fn-1', '123.tmp-abcd'), { recursive: true });
      await writeFile(join(dataDir, 'keep.txt'), 'mine');
      const emulator = await startEmulator({ dataDir });
      await emulator.stop();
      expect((await readdir(dataDir)).sort()).toEqual(['code', 'keep.txt', 'state.json']);
      expect(await readdir(join(dataDir, 'code', 'fn-1'))).toEqual([]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('instances answer only the emulator', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startTestEmulator();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('refuses a request sent to an instance port directly, while the same call through the emulator works', async () => {
    await deploy(
      t.emulator,
      { functionName: 'guarded', runtime: 'nodejs20', handler: 'index.handler' },
      { 'index.js': NODE_HANDLER },
    );
    expect((await invoke(t.emulator, 'guarded', 'hi')).status).toBe(200);
    const [instance] = t.emulator.instances();
    expect(instance).not.toHaveProperty('instanceSecret');
    const direct = await send(`http://127.0.0.1:${instance!.port}`, {
      method: 'POST',
      path: '/invoke',
      headers: { 'x-fc-request-id': '1-direct', 'x-fc-function-name': 'guarded' },
      body: 'hi',
    });
    expect(direct.status).toBe(403);
    const forged = await invoke(t.emulator, 'guarded', 'env', { 'x-fcs-instance-secret': 'forged' });
    expect(forged.status).toBe(200);
    const listed = (await sendAdmin(t.emulator, 'GET', '/_emulator/instances')).json<{
      instances: Array<{ port: number; instanceSecret: string }>;
    }>().instances[0]!;
    const allowed = await send(`http://127.0.0.1:${listed.port}`, {
      method: 'POST',
      path: '/invoke',
      headers: { 'x-fc-request-id': '1-direct', 'x-fcs-instance-secret': listed.instanceSecret },
      body: 'hi',
    });
    expect(allowed.status).toBe(200);
  });
});
