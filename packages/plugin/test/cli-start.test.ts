import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codeCacheDir, startCli } from '../src/cli-start.js';
import { tempDirs } from './helpers/tmp.js';

const tmp = tempDirs();
afterAll(() => tmp.cleanup());

/** A bundle as bin/fcs.cjs loads it: CommonJS, exporting `main`, which also requires a builtin. */
async function fakeBundle(dir: string, answer: number): Promise<string> {
  const file = join(dir, 'fcs.cjs');
  await writeFile(
    file,
    `exports.main = async (argv) => { const { sep } = require('node:path'); return argv.length + ${answer} + (sep ? 0 : 1); };\n`,
  );
  return file;
}

describe('the bundled fcs code cache', () => {
  it('writes one cache per command once the command ran, uses it next time, and drops a damaged one', async () => {
    const dir = await tmp.make();
    const bundle = await fakeBundle(dir, 10);
    const env = { XDG_CACHE_HOME: join(dir, 'cache') };
    const cacheDir = codeCacheDir(env) as string;
    expect(await startCli(bundle, ['invoke', 'fn'], env)).toBe(12);
    const [name] = await readdir(cacheDir);
    expect(name).toMatch(/^fcs-[0-9a-f]{16}-invoke\.v8$/);
    const file = join(cacheDir, name as string);
    const written = (await stat(file)).mtimeMs;

    expect(await startCli(bundle, ['invoke'], env)).toBe(11);
    expect((await stat(file)).mtimeMs).toBe(written);

    const damaged = await readFile(file);
    damaged[damaged.length - 1] = (damaged[damaged.length - 1] as number) ^ 0xff;
    await writeFile(file, damaged);
    expect(await startCli(bundle, ['invoke'], env)).toBe(11);
    expect((await readFile(file)).equals(damaged)).toBe(false);

    await startCli(bundle, ['--help'], env);
    expect((await readdir(cacheDir)).sort()).toEqual([
      expect.stringMatching(/-invoke\.v8$/),
      expect.stringMatching(/-other\.v8$/),
    ]);
  });

  it('starts over when the bundle changes and removes the cache of the old bundle and left temporary files', async () => {
    const dir = await tmp.make();
    const env = { XDG_CACHE_HOME: join(dir, 'cache') };
    await startCli(await fakeBundle(dir, 1), ['invoke'], env);
    const [before] = await readdir(codeCacheDir(env) as string);
    await writeFile(join(codeCacheDir(env) as string, `${before}.999.tmp`), 'left by a killed run');
    expect(await startCli(await fakeBundle(dir, 2), ['invoke'], env)).toBe(3);
    const after = await readdir(codeCacheDir(env) as string);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);
  });

  it('requires the bundle as it is with FCS_CODE_CACHE=0 or nowhere to keep a cache', async () => {
    const dir = await tmp.make();
    const bundle = await fakeBundle(dir, 5);
    expect(codeCacheDir({ XDG_CACHE_HOME: dir, FCS_CODE_CACHE: '0' })).toBeUndefined();
    expect(codeCacheDir({})).toBeUndefined();
    expect(codeCacheDir({ HOME: dir })).toBe(join(dir, '.cache', 'fc-sessions'));
    expect(await startCli(bundle, ['invoke'], { XDG_CACHE_HOME: join(dir, 'c'), FCS_CODE_CACHE: '0' })).toBe(6);
    expect(await readdir(dir)).toEqual(['fcs.cjs']);
  });
});
