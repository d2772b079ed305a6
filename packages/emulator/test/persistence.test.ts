import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/index.js';
import { call, deploy, invoke } from './helpers/api.js';
import { startTestEmulator } from './helpers/emulator.js';
import { NODE_HANDLER } from './helpers/functions.js';

const FN = 'durable';
const HEADER = 'x-session-id';

describe('state in the data dir', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('keeps functions, code and sessions across a restart; sessions get a new instance on their next request', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fcs-emulator-test-'));
    dirs.push(dataDir);

    const first = await startTestEmulator({ dataDir });
    await deploy(
      first.emulator,
      {
        functionName: FN,
        runtime: 'nodejs20',
        handler: 'index.handler',
        sessionAffinity: 'HEADER_FIELD',
        sessionAffinityConfig: JSON.stringify({ affinityHeaderFieldName: HEADER }),
      },
      { 'index.js': NODE_HANDLER },
    );
    const created = await call(first.emulator, 'POST', `/2023-03-30/functions/${FN}/sessions`, 'CreateSession', {
      sessionId: 'kept',
      ossMountConfig: {
        mountPoints: [{ bucketName: 'b', bucketPath: '/p', endpoint: 'oss', mountDir: '/mnt/oss', readOnly: true }],
      },
    });
    const before = created.json<{ containerId: string; createdTime: string }>();
    const checksum = (await call(first.emulator, 'GET', `/2023-03-30/functions/${FN}`, 'GetFunction')).json()[
      'codeChecksum'
    ];
    await first.stop();

    const state = JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8'));
    expect(state.functions.map((f: { functionName: string }) => f.functionName)).toEqual([FN]);
    expect((await readdir(dataDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    const second = await startTestEmulator({ dataDir });
    try {
      const fn = (await call(second.emulator, 'GET', `/2023-03-30/functions/${FN}`, 'GetFunction')).json();
      expect(fn['codeChecksum']).toBe(checksum);
      const session = (
        await call(second.emulator, 'GET', `/2023-03-30/functions/${FN}/sessions/kept`, 'GetSession')
      ).json();
      expect(session).toMatchObject({ sessionStatus: 'Active', createdTime: before.createdTime });
      expect(session['ossMountConfig']).toMatchObject({ mountPoints: [{ mountDir: '/mnt/oss', readOnly: true }] });

      const routed = await invoke(second.emulator, FN, 'after restart', { [HEADER]: 'kept' });
      expect(routed.status).toBe(200);
      const rebound = String(routed.headers['x-fc-instance-id']);
      expect(rebound).not.toBe(before.containerId);
      const again = await invoke(second.emulator, FN, 'and again', { [HEADER]: 'kept' });
      expect(again.headers['x-fc-instance-id']).toBe(rebound);
      const reread = (
        await call(second.emulator, 'GET', `/2023-03-30/functions/${FN}/sessions/kept`, 'GetSession')
      ).json();
      expect(reread['containerId']).toBe(rebound);
    } finally {
      await second.stop();
    }
  });

  it('refuses a data dir another running emulator holds, and takes over a stale lock', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fcs-emulator-test-'));
    dirs.push(dataDir);
    const first = await startTestEmulator({ dataDir });
    try {
      await expect(startEmulator({ dataDir })).rejects.toThrow(/in use by another emulator \(pid \d+\)/);
    } finally {
      await first.stop();
    }
    const crashed = { pid: 999_999_999, host: hostname(), createdAt: new Date().toISOString(), token: 'crashed' };
    await writeFile(join(dataDir, 'emulator.lock'), JSON.stringify(crashed));
    const second = await startTestEmulator({ dataDir });
    await second.stop();
  });

  it('removes its own temp data dir on stop', async () => {
    const t = await startTestEmulator();
    const dir = t.emulator.dataDir;
    await deploy(
      t.emulator,
      { functionName: 'tmp', runtime: 'nodejs20', handler: 'index.handler' },
      { 'index.js': NODE_HANDLER },
    );
    await t.stop();
    await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
