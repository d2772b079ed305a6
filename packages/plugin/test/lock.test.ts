import { access, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { lockManifest } from '../src/core/lock.js';
import { defaultManifestDir, endpointKey, manifestFolder, manifestPath } from '../src/core/manifest.js';
import { run } from './helpers/run.js';
import { tempDirs } from './helpers/tmp.js';

const tmp = tempDirs();
afterAll(() => tmp.cleanup());

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('manifest location', () => {
  const key = { region: 'cn-hangzhou', functionName: 'fn', qualifier: 'LATEST' };

  it("keeps FC's own endpoints in the manifest folder and gives every other endpoint its own sub-folder", () => {
    expect(manifestPath('/m', key)).toBe('/m/cn-hangzhou.fn.LATEST.json');
    for (const fc of [
      'https://1234567890123456.cn-hangzhou.fc.aliyuncs.com',
      '1234567890123456.cn-hangzhou-internal.fc.aliyuncs.com',
      'https://fcv3.cn-hangzhou.aliyuncs.com',
    ]) {
      expect(manifestPath('/m', { ...key, endpoint: fc })).toBe('/m/cn-hangzhou.fn.LATEST.json');
    }
    expect(manifestPath('/m', { ...key, endpoint: 'http://127.0.0.1:9100' })).toBe(
      '/m/127.0.0.1_9100/cn-hangzhou.fn.LATEST.json',
    );
    expect(endpointKey('http://127.0.0.1:9101/some/path')).toBe('127.0.0.1_9101');
    expect(endpointKey('http://Emulator.local')).toBe('emulator.local_80');
    expect(endpointKey('emulator.local:8443')).toBe('emulator.local_8443');
    expect(endpointKey('https://emulator.local')).toBe('emulator.local_443');
    expect(endpointKey('http://[::1]:9100')).toBe('___1__9100');
    expect(endpointKey('not a url/../..')).not.toMatch(/[/ ]|^\./);
    expect(endpointKey(undefined)).toBeUndefined();
    expect(manifestFolder('/m', 'http://localhost:9100')).toBe('/m/localhost_9100');
  });

  it('defaults to $FCS_MANIFEST_DIR, else .fcs/sessions', () => {
    expect(defaultManifestDir({ FCS_MANIFEST_DIR: '/tmp/elsewhere' })).toBe('/tmp/elsewhere');
    expect(defaultManifestDir({ FCS_MANIFEST_DIR: '' })).toBe('.fcs/sessions');
    expect(defaultManifestDir({})).toBe('.fcs/sessions');
  });
});

describe('lockManifest', () => {
  it('creates <manifest>.lock with pid and time, makes a second taker wait, and releases', async () => {
    const manifest = join(await tmp.make(), 'sub', 'cn-hangzhou.fn.LATEST.json');
    const first = await lockManifest(manifest, { timeoutSeconds: 60 });
    expect(first.path).toBe(`${manifest}.lock`);
    const owner = JSON.parse(await readFile(first.path, 'utf8'));
    expect(owner).toMatchObject({ pid: process.pid, host: hostname(), timeoutSeconds: 60 });
    expect(Date.now() - Date.parse(owner.createdAt)).toBeLessThan(5000);

    let secondTaken = false;
    const second = lockManifest(manifest, { timeoutSeconds: 60 }).then((lock) => {
      secondTaken = true;
      return lock;
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(secondTaken).toBe(false);
    await first.release();
    const lock = await second;
    expect(JSON.parse(await readFile(lock.path, 'utf8')).token).not.toBe(owner.token);
    await first.release();
    expect(await exists(lock.path)).toBe(true);
    await lock.release();
    expect(await readdir(join(manifest, '..'))).toEqual([]);
  });

  it('gives up when its signal fires, with ManifestLocked naming the lock file and its holder', async () => {
    const manifest = join(await tmp.make(), 'cn-hangzhou.fn.LATEST.json');
    const held = await lockManifest(manifest, { timeoutSeconds: 60 });
    const error = await lockManifest(manifest, { timeoutSeconds: 60, signal: AbortSignal.timeout(200) }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: 'ManifestLocked',
      field: 'manifestDir',
      exitCode: 5,
      message: expect.stringContaining(`${manifest}.lock is held by another prefetch or prune (pid ${process.pid}`),
    });
    await held.release();
  });

  it('takes over a stale lock (dead pid, or older than its timeout) with a warning', async () => {
    const dir = await tmp.make();
    const manifest = join(dir, 'cn-hangzhou.fn.LATEST.json');
    const dead = await run(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const createdAt = new Date().toISOString();
    await writeFile(
      `${manifest}.lock`,
      JSON.stringify({ pid: Number(dead.stdout), host: hostname(), createdAt, timeoutSeconds: 600, token: 'x' }),
    );
    const warnings: string[] = [];
    const lock = await lockManifest(manifest, { timeoutSeconds: 5, onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([expect.stringContaining(`took over the stale lock ${manifest}.lock`)]);
    expect(warnings[0]).toContain(`process ${dead.stdout} is not running`);
    await lock.release();

    const old = new Date(Date.now() - 120_000).toISOString();
    await writeFile(
      `${manifest}.lock`,
      JSON.stringify({ pid: process.pid, host: hostname(), createdAt: old, timeoutSeconds: 60, token: 'y' }),
    );
    const again = await lockManifest(manifest, { timeoutSeconds: 5, onWarning: (m) => warnings.push(m) });
    expect(warnings[1]).toContain("older than its run's timeout of 60 s");
    await again.release();

    // A lock whose holder has not written it yet is judged by its file time and the taker's timeout.
    await writeFile(`${manifest}.lock`, '');
    const past = new Date(Date.now() - 10_000);
    await utimes(`${manifest}.lock`, past, past);
    const third = await lockManifest(manifest, { timeoutSeconds: 5, onWarning: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(3);
    await third.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('is released when the process exits without releasing it', async () => {
    const manifest = join(await tmp.make(), 'cn-hangzhou.fn.LATEST.json');
    const built = fileURLToPath(new URL('../dist/core/lock.js', import.meta.url));
    const child = await run(process.execPath, [
      '--input-type=module',
      '-e',
      `import { lockManifest } from ${JSON.stringify(built)};
       const lock = await lockManifest(${JSON.stringify(manifest)}, { timeoutSeconds: 60 });
       const { existsSync } = await import('node:fs');
       process.stdout.write(String(existsSync(lock.path)));
       process.exit(0);`,
    ]);
    expect(child).toMatchObject({ code: 0, stdout: 'true' });
    expect(await exists(`${manifest}.lock`)).toBe(false);
  });
});
