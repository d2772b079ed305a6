import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock, LockHeldError } from '../src/lock.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function lockPath(): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'fcs-lock-test-'));
  dirs.push(dir);
  return { dir, path: join(dir, 'sub', 'thing.lock') };
}

/** The pid of a process that has already exited. */
const deadPid = () => Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']));

describe('acquireLock', () => {
  it('writes its holder, refuses a second taker at once without wait, and releases', async () => {
    // Prepare
    const { path } = await lockPath();
    const first = await acquireLock(path);

    // Act
    const refused = await acquireLock(path).catch((error: unknown) => error);

    // Assess
    const holder = JSON.parse(await readFile(path, 'utf8'));
    expect(holder).toMatchObject({ pid: process.pid, host: hostname() });
    expect(holder).not.toHaveProperty('timeoutSeconds');
    expect(refused).toBeInstanceOf(LockHeldError);
    expect(refused).toMatchObject({ path, holder: { pid: process.pid, token: holder.token } });
    await first.release();
    expect(existsSync(path)).toBe(false);
  });

  it('with wait, takes the lock once the holder releases it, or throws when its signal fires', async () => {
    // Prepare
    const { path } = await lockPath();
    const first = await acquireLock(path);

    // Act
    const gaveUp = await acquireLock(path, { wait: true, signal: AbortSignal.timeout(100) }).catch((e: unknown) => e);
    const second = acquireLock(path, { wait: true });
    setTimeout(() => void first.release(), 100);

    // Assess
    expect(gaveUp).toBeInstanceOf(LockHeldError);
    expect((gaveUp as LockHeldError).waitedMs).toBeGreaterThanOrEqual(90);
    const lock = await second;
    expect(JSON.parse(await readFile(path, 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it("takes over a lock whose process is gone, and one older than its holder's timeout, with a warning", async () => {
    // Prepare
    const { path } = await lockPath();
    await acquireLock(path).then((lock) => lock.release());
    const warnings: string[] = [];
    const createdAt = new Date().toISOString();

    // Act
    await writeFile(path, JSON.stringify({ pid: deadPid(), host: hostname(), createdAt, token: 'a' }));
    const afterCrash = await acquireLock(path, { onWarning: (m) => warnings.push(m) });
    await afterCrash.release();
    const old = new Date(Date.now() - 120_000).toISOString();
    await writeFile(
      path,
      JSON.stringify({ pid: process.pid, host: hostname(), createdAt: old, timeoutSeconds: 60, token: 'b' }),
    );
    const afterTimeout = await acquireLock(path, { onWarning: (m) => warnings.push(m) });
    await afterTimeout.release();

    // Assess
    expect(warnings[0]).toMatch(
      /^took over the stale lock .*thing\.lock \(pid \d+ on .*: process \d+ is not running\)$/,
    );
    expect(warnings[1]).toContain("older than its run's timeout of 60 s");
  });

  it('keeps a lock without timeout while its process runs, and takes an unwritten one after 10 s', async () => {
    // Prepare
    const { path } = await lockPath();
    const old = new Date(Date.now() - 86_400_000).toISOString();
    await acquireLock(path).then((lock) => lock.release());
    await writeFile(path, JSON.stringify({ pid: process.pid, host: hostname(), createdAt: old, token: 'c' }));

    // Act
    const kept = await acquireLock(path).catch((error: unknown) => error);
    await writeFile(path, '');
    const fresh = await acquireLock(path).catch((error: unknown) => error);
    const past = new Date(Date.now() - 11_000);
    await utimes(path, past, past);
    const taken = await acquireLock(path);

    // Assess
    expect(kept).toBeInstanceOf(LockHeldError);
    expect(fresh).toMatchObject({ holder: undefined, message: `${path} is held by a holder that is starting` });
    await taken.release();
  });

  it('holds nothing when told not to create a folder that is missing', async () => {
    const { dir, path } = await lockPath();
    const lock = await acquireLock(path, { existingFolderOnly: true });
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('is released when the process exits without releasing it', async () => {
    const { path } = await lockPath();
    const built = fileURLToPath(new URL('../dist/lock.js', import.meta.url));
    const out = execFileSync(process.execPath, [
      '--input-type=module',
      '-e',
      `import { acquireLock } from ${JSON.stringify(built)};
       const lock = await acquireLock(${JSON.stringify(path)});
       const { existsSync } = await import('node:fs');
       process.stdout.write(String(existsSync(lock.path)));
       process.exit(0);`,
    ]);
    expect(String(out)).toBe('true');
    expect(existsSync(path)).toBe(false);
  });
});
