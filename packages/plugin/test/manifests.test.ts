import { access, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestStore } from '../src/core/manifest.js';
import { pruneSessions } from '../src/core/prune.js';
import { activeSessionIds, deployHello, startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { run } from './helpers/run.js';
import { tempDirs } from './helpers/tmp.js';

// The built bin (turbo builds the package before its tests).
const FCS = fileURLToPath(new URL('../bin/fcs.cjs', import.meta.url));

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** `127.0.0.1_<port>`: the sub-folder of the manifest folder that an emulator's manifests go to. */
const folderOf = (endpoint: string) => `127.0.0.1_${new URL(endpoint).port}`;

describe('manifests: one per endpoint, FCS_MANIFEST_DIR, the lock, settleSeconds (fcs against the emulator)', () => {
  let emu: TestEmulator;
  let other: TestEmulator;
  const tmp = tempDirs();
  const fcs = (cwd: string, args: string[], env: Record<string, string> = emu.env) =>
    run(process.execPath, [FCS, ...args], { cwd, env });
  const json = async (cwd: string, args: string[], env?: Record<string, string>) => {
    const result = await fcs(cwd, [...args, '--json'], env);
    return { ...result, data: JSON.parse(result.stdout) };
  };
  const recorded = async (path: string) =>
    (JSON.parse(await readFile(path, 'utf8')).sessions as { sessionId: string }[]).map((s) => s.sessionId).sort();

  beforeAll(async () => {
    [emu, other] = await Promise.all([startTestEmulator(), startTestEmulator()]);
    for (const name of ['shared', 'race', 'locked', 'settle', 'envdir']) await deployHello(emu.client, name);
    await deployHello(other.client, 'shared');
  });
  afterAll(async () => {
    await Promise.all([emu?.stop(), other?.stop()]);
    await tmp.cleanup();
  });

  it('keeps the sessions of two endpoints in separate manifests: a prune against one leaves the other alone', async () => {
    const cwd = await tmp.make();
    const first = await json(cwd, ['prefetch', 'shared', '-n', '2', '--region', 'cn-hangzhou']);
    expect(first).toMatchObject({ code: 0, data: { complete: true } });
    const second = await json(cwd, [
      'prefetch',
      'shared',
      '-n',
      '1',
      '--region',
      'cn-hangzhou',
      '--endpoint',
      other.emulator.endpoint,
    ]);
    expect(second).toMatchObject({ code: 0, data: { complete: true, created: [expect.any(String)] } });

    const mine = join(cwd, '.fcs/sessions', folderOf(emu.emulator.endpoint), 'cn-hangzhou.shared.LATEST.json');
    const theirs = join(cwd, '.fcs/sessions', folderOf(other.emulator.endpoint), 'cn-hangzhou.shared.LATEST.json');
    expect(first.data.manifestPath).toBe(mine);
    expect(second.data.manifestPath).toBe(theirs);
    expect(await readdir(join(cwd, '.fcs/sessions'))).toHaveLength(2);
    expect(await recorded(mine)).toEqual(await activeSessionIds(emu.client, 'shared'));
    expect(await recorded(theirs)).toEqual(await activeSessionIds(other.client, 'shared'));

    const pruned = await json(cwd, [
      'prune',
      'shared',
      '--region',
      'cn-hangzhou',
      '--endpoint',
      other.emulator.endpoint,
    ]);
    expect(pruned).toMatchObject({ code: 0, data: { deleted: second.data.created, failed: [] } });
    expect(await activeSessionIds(other.client, 'shared')).toEqual([]);
    expect(await exists(theirs)).toBe(false);
    expect(await activeSessionIds(emu.client, 'shared')).toHaveLength(2);
    expect(await recorded(mine)).toEqual(await activeSessionIds(emu.client, 'shared'));

    const invoked = await json(cwd, ['invoke', 'shared', '-e', 'x']);
    expect(invoked.data).toMatchObject({ sessionSource: 'manifest', sessionId: first.data.sessions[0].sessionId });
    expect((await json(cwd, ['prune', 'shared'])).data.deleted).toHaveLength(2);
  });

  it('takes the manifest folder from FCS_MANIFEST_DIR (relative to the cwd); --manifest-dir still wins', async () => {
    const cwd = await tmp.make();
    const env = { ...emu.env, FCS_MANIFEST_DIR: 'from-env' };
    const fromEnv = await json(cwd, ['prefetch', 'envdir', '-n', '1', '--region', 'cn-hangzhou'], env);
    expect(fromEnv.data.manifestPath).toBe(
      join(cwd, 'from-env', folderOf(emu.emulator.endpoint), 'cn-hangzhou.envdir.LATEST.json'),
    );
    const listed = await json(cwd, ['session', 'list', 'envdir', '--prefetched'], env);
    expect(listed.data.sessions).toHaveLength(1);

    const flag = await json(
      cwd,
      ['prefetch', 'envdir', '-n', '1', '--region', 'cn-hangzhou', '--manifest-dir', 'own'],
      env,
    );
    expect(flag.data).toMatchObject({ created: [expect.any(String)] });
    expect(flag.data.manifestPath).toContain(join(cwd, 'own'));
    expect((await json(cwd, ['prune', 'envdir', '--region', 'cn-hangzhou', '--manifest-dir', 'own'], env)).code).toBe(
      0,
    );
    expect((await json(cwd, ['prune', 'envdir', '--region', 'cn-hangzhou'], env)).code).toBe(0);
    expect(await activeSessionIds(emu.client, 'envdir')).toEqual([]);
  });

  it('two prefetches at once (two processes) end with exactly N sessions and a manifest that matches', async () => {
    const cwd = await tmp.make();
    emu.emulator.faults.set({ rules: [{ action: 'CreateSession', latencyMs: 400 }] });
    try {
      const args = ['prefetch', 'race', '-n', '3', '--region', 'cn-hangzhou', '--concurrency', '3'];
      const [a, b] = await Promise.all([json(cwd, args), json(cwd, args)]);
      expect([a.code, b.code]).toEqual([0, 0]);
      expect(a.data.created.length + b.data.created.length).toBe(3);
      expect([a.data.reused.length, b.data.reused.length].sort()).toEqual([0, 3]);
      const path = a.data.manifestPath as string;
      const ids = await activeSessionIds(emu.client, 'race');
      expect(ids).toHaveLength(3);
      expect(await recorded(path)).toEqual(ids);
      expect(await exists(`${path}.lock`)).toBe(false);
    } finally {
      emu.emulator.faults.clear();
    }
    expect((await json(cwd, ['prune', 'race', '--region', 'cn-hangzhou'])).data.deleted).toHaveLength(3);
  });

  it('session delete waits for the manifest lock, and when it cannot get it deletes nothing', async () => {
    // Prepare: a prefetched session, and its manifest locked by a live run
    const cwd = await tmp.make();
    const made = await json(cwd, ['prefetch', 'locked', '-n', '1', '--region', 'cn-hangzhou']);
    expect(made.code).toBe(0);
    const path = made.data.manifestPath as string;
    const [id] = await recorded(path);
    const holder = { pid: process.pid, host: hostname(), createdAt: new Date().toISOString(), timeoutSeconds: 600 };
    await writeFile(`${path}.lock`, JSON.stringify({ ...holder, token: 'test' }));

    // Act
    const blocked = await fcs(cwd, [
      'session',
      'delete',
      'locked',
      '--session-id',
      id as string,
      '--region',
      'cn-hangzhou',
      '--timeout',
      '1',
    ]);
    const stillThere = await activeSessionIds(emu.client, 'locked');
    await rm(`${path}.lock`);
    const deleted = await fcs(cwd, [
      'session',
      'delete',
      'locked',
      '--session-id',
      id as string,
      '--region',
      'cn-hangzhou',
    ]);

    // Assess
    expect(blocked.code).toBe(5);
    expect(blocked.stderr).toContain('ManifestLocked');
    expect(stillThere).toEqual([id]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(await activeSessionIds(emu.client, 'locked')).toEqual([]);
    expect(await exists(path)).toBe(false);
    expect(await exists(`${path}.lock`)).toBe(false);
  });

  it('a lock held by a live run makes prefetch wait up to its timeout, then fail naming the lock file; a stale one is taken over', async () => {
    const cwd = await tmp.make();
    const path = join(cwd, '.fcs/sessions', folderOf(emu.emulator.endpoint), 'cn-hangzhou.locked.LATEST.json');
    await mkdir(join(path, '..'), { recursive: true });
    const holder = { pid: process.pid, host: hostname(), createdAt: new Date().toISOString(), timeoutSeconds: 600 };
    await writeFile(`${path}.lock`, JSON.stringify({ ...holder, token: 'test' }));

    const args = ['prefetch', 'locked', '-n', '1', '--region', 'cn-hangzhou', '--prefetch-timeout', '1'];
    const blocked = await fcs(cwd, args);
    expect(blocked.code).toBe(5);
    expect(blocked.stderr).toContain('ManifestLocked');
    expect(blocked.stderr).toContain(`${path}.lock is held by another prefetch or prune (pid ${process.pid}`);
    expect(await activeSessionIds(emu.client, 'locked')).toEqual([]);
    const blockedPrune = await pruneSessions(emu.client, {
      functionName: 'locked',
      manifestDir: join(cwd, '.fcs/sessions'),
      region: 'cn-hangzhou',
      endpoint: emu.emulator.endpoint,
      timeoutSeconds: 1,
    }).catch((error: unknown) => error);
    expect(blockedPrune).toMatchObject({ code: 'ManifestLocked', message: expect.stringContaining(`${path}.lock`) });
    expect(await exists(`${path}.lock`)).toBe(true);

    const dead = await run(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    await writeFile(`${path}.lock`, JSON.stringify({ ...holder, pid: Number(dead.stdout), token: 'gone' }));
    const taken = await fcs(cwd, args);
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.stderr).toContain(`warning: took over the stale lock ${path}.lock`);
    expect(taken.stderr).toContain(`process ${dead.stdout} is not running`);
    expect(await exists(`${path}.lock`)).toBe(false);
    expect(await recorded(path)).toEqual(await activeSessionIds(emu.client, 'locked'));
    expect((await json(cwd, ['prune', 'locked', '--region', 'cn-hangzhou'])).data.deleted).toHaveLength(1);
  });

  it('--settle-seconds: checked, and decides when a "creating" record FC does not know is dropped', async () => {
    const cwd = await tmp.make();
    const bad = await json(cwd, ['prune', 'settle', '--settle-seconds', '-1']);
    expect(bad).toMatchObject({ code: 2, data: { error: { field: '--settle-seconds' } } });
    expect(bad.data.error.message).toBe('--settle-seconds must be an integer from 0 to 86400; got "-1"');
    expect((await fcs(cwd, ['prefetch', '--help'])).stdout).toContain('--settle-seconds <seconds>');

    const store = new ManifestStore(join(cwd, '.fcs/sessions'), {
      region: 'cn-hangzhou',
      functionName: 'settle',
      qualifier: 'LATEST',
      endpoint: emu.emulator.endpoint,
    });
    await store.load();
    await store.upsert({
      sessionId: 'never-created',
      index: 0,
      state: 'creating',
      recordedAt: new Date().toISOString(),
    });

    // A pending create keeps its slot: prefetch sends CreateSession again with that id, never a second session.
    const kept = await json(cwd, ['prefetch', 'settle', '-n', '1', '--region', 'cn-hangzhou']);
    expect(kept.data).toMatchObject({ created: ['never-created'], unverified: [], complete: true });
    expect(await activeSessionIds(emu.client, 'settle')).toEqual(['never-created']);
    const creating = async (sessionId: string) => {
      await store.load();
      await store.upsert({ sessionId, index: 5, state: 'creating', recordedAt: new Date().toISOString() });
    };
    await creating('never-either');
    const pending = await json(cwd, ['prune', 'settle', '--region', 'cn-hangzhou', '--session-id', 'never-either']);
    expect(pending).toMatchObject({ code: 5, data: { pending: ['never-either'] } });

    const dropped = await json(cwd, [
      'prefetch',
      'settle',
      '-n',
      '1',
      '--region',
      'cn-hangzhou',
      '--settle-seconds',
      '0',
    ]);
    expect(dropped.data).toMatchObject({ expired: ['never-either'], reused: ['never-created'], unverified: [] });
    await creating('never-either');
    const pruned = await json(cwd, ['prune', 'settle', '--region', 'cn-hangzhou', '--settle-seconds', '0']);
    expect(pruned).toMatchObject({ code: 0, data: { pending: [], complete: true } });
    expect(pruned.data.deleted).toContain('never-either');
    expect(await activeSessionIds(emu.client, 'settle')).toEqual([]);
    expect(await exists(store.path)).toBe(false);
    await store.close();
  });
});
