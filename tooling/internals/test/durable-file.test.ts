import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DurableFile } from '../src/durable-file.js';

const dirs: string[] = [];

async function fileIn(name = 'data.json') {
  const dir = await mkdtemp(join(tmpdir(), 'fcs-durable-test-'));
  dirs.push(dir);
  return { dir, path: join(dir, name) };
}

/** Paths this process holds open under `dir` (Linux: /proc/self/fd). */
async function openUnder(dir: string): Promise<string[]> {
  const fds = await readdir('/proc/self/fd').catch(() => [] as string[]);
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets.filter((target) => target.startsWith(dir));
}

const temps = async (dir: string) => (await readdir(dir)).filter((name) => name.endsWith('.tmp'));

describe('DurableFile', () => {
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('gives concurrent saves one shared write with the content of the latest encoder', async () => {
    const { path } = await fileIn();
    const file = new DurableFile(path);
    let encodes = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        file.save(() => {
          encodes++;
          return `${i}`;
        }),
      ),
    );
    expect(encodes).toBe(1);
    expect(await readFile(path, 'utf8')).toBe('19');
    await file.close();
  });

  it('fsyncs each temp file before the rename and the folder after it unless sync is false, and writes the same file either way', async () => {
    const { path } = await fileIn();
    const probe = await open(path, 'w');
    const prototype = Object.getPrototypeOf(probe) as { sync(): Promise<void> };
    const original = prototype.sync;
    /** What the path held at each fsync: the rename comes between the two. */
    const seen: string[] = [];
    const sync = vi.spyOn(prototype, 'sync').mockImplementation(function (this: unknown) {
      seen.push(readFileSync(path, 'utf8'));
      return original.call(this);
    });
    await probe.close();
    try {
      for (const [options, syncs] of [
        [{}, process.platform === 'win32' ? 1 : 2],
        [{ sync: false }, 0],
      ] as const) {
        sync.mockClear();
        seen.length = 0;
        const file = new DurableFile(path, options);
        const before = readFileSync(path, 'utf8');
        await file.save(() => JSON.stringify(options));
        expect(sync).toHaveBeenCalledTimes(syncs);
        expect(seen).toEqual([before, JSON.stringify(options)].slice(0, syncs));
        expect(await readFile(path, 'utf8')).toBe(JSON.stringify(options));
        await file.close();
      }
    } finally {
      sync.mockRestore();
    }
  });

  it.runIf(process.platform !== 'win32')(
    'takes a folder the file system cannot sync as synced, and fails a write whose folder sync fails otherwise, with the new content in place and nothing left open',
    async () => {
      const { dir, path } = await fileIn();
      const probe = await open(path, 'w');
      const prototype = Object.getPrototypeOf(probe) as { sync(): Promise<void> };
      await probe.close();
      const original = prototype.sync;
      let folderError = 'EINVAL';
      let calls = 0;
      const sync = vi.spyOn(prototype, 'sync').mockImplementation(function (this: unknown) {
        // Every second sync of a write is the folder's.
        if (++calls % 2 === 0) return Promise.reject(Object.assign(new Error('sync'), { code: folderError }));
        return original.call(this);
      });
      try {
        const file = new DurableFile(path);
        await file.save(() => 'first');
        expect(await readFile(path, 'utf8')).toBe('first');
        folderError = 'EIO';
        await expect(file.save(() => 'second')).rejects.toMatchObject({ code: 'EIO' });
        expect(await readFile(path, 'utf8')).toBe('second');
        folderError = 'EINVAL';
        await file.save(() => 'third');
        await file.close();
        expect(await openUnder(dir)).toEqual([]);
        expect(await temps(dir)).toEqual([]);
      } finally {
        sync.mockRestore();
      }
    },
  );

  it('removes a file whose folder does not exist', async () => {
    const { dir } = await fileIn();
    const file = new DurableFile(join(dir, 'gone', 'deeper', 'data.json'));
    await expect(file.remove()).resolves.toBeUndefined();
    await file.close();
  });

  it('gives a save made during a write a later write that starts once the first is in place', async () => {
    const { path } = await fileIn();
    const file = new DurableFile(path);
    let later: Promise<void> | undefined;
    await file.save(() => {
      later = file.save(() => {
        expect(readFileSync(path, 'utf8')).toBe('first');
        return new TextEncoder().encode('second');
      });
      return 'first';
    });
    expect(await readFile(path, 'utf8')).toBe('first');
    await later;
    expect(await readFile(path, 'utf8')).toBe('second');
    await file.close();
  });

  it('rejects only the callers of a failed write, leaves no temp file, and the next write succeeds', async () => {
    const { dir, path } = await fileIn();
    const file = new DurableFile(path);
    await mkdir(join(path, 'in-the-way'), { recursive: true });
    await expect(Promise.all([file.save(() => 'a'), file.save(() => 'b')])).rejects.toThrow();
    expect(await temps(dir)).toEqual([]);
    await expect(
      file.save(() => {
        throw new Error('encode failed');
      }),
    ).rejects.toThrow('encode failed');
    await rm(path, { recursive: true });
    await file.save(() => 'c');
    expect(await readFile(path, 'utf8')).toBe('c');
    expect(await temps(dir)).toEqual([]);
    await file.close();
  });

  it('removes the file in turn with the writes, and creates a missing folder again', async () => {
    const { dir } = await fileIn();
    const path = join(dir, 'deep', 'er', 'data.json');
    const file = new DurableFile(path, { mode: 0o600 });
    await file.save(() => 'x');
    if (process.platform !== 'win32') expect((await stat(path)).mode & 0o777).toBe(0o600);
    const removed = file.remove();
    const rewritten = file.save(() => 'y');
    await Promise.all([removed, rewritten]);
    expect(await readFile(path, 'utf8')).toBe('y');
    await file.remove();
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
    await file.remove();
    await file.close();
  });

  it('holds no file open after close, also when writes were still running', async () => {
    const { dir, path } = await fileIn();
    const file = new DurableFile(path);
    for (let i = 0; i < 3; i++) await file.save(() => `${i}`);
    const last = file.save(() => 'last');
    await file.close();
    await last;
    expect(await readFile(path, 'utf8')).toBe('last');
    if (process.platform === 'linux') expect(await openUnder(dir)).toEqual([]);
  });

  it('is always read whole, never partly written, while writes run', async () => {
    const { path } = await fileIn();
    const file = new DurableFile(path);
    const content = (i: number) => JSON.stringify({ i, fill: String(i % 10).repeat(200_000) });
    await file.save(() => content(0));
    let writing = true;
    const reads: Promise<number> = (async () => {
      let count = 0;
      while (writing) {
        const parsed = JSON.parse(await readFile(path, 'utf8')) as { i: number; fill: string };
        expect(parsed.fill).toBe(String(parsed.i % 10).repeat(200_000));
        count++;
      }
      return count;
    })();
    for (let i = 1; i <= 30; i++) await file.save(() => content(i));
    writing = false;
    expect(await reads).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(path, 'utf8')).i).toBe(30);
    await file.close();
  });
});
