import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CodeStore } from '../src/state/code-store.js';
import { makeZip } from './helpers/zip.js';

describe('CodeStore', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('unpacks once per checksum, keeps executables executable, and prunes old versions', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fcs-code-'));
    dirs.push(dataDir);
    const store = new CodeStore(dataDir, { maxZipBytes: 1 << 20, maxUnzippedBytes: 1 << 20 });
    const v1 = await store.install(
      'fn-1',
      makeZip({ bootstrap: { content: '#!/bin/sh\n', mode: 0o755 }, 'lib/x.js': 'x' }).toString('base64'),
    );
    const dir = store.dir('fn-1', v1.checksum);
    expect((await stat(join(dir, 'bootstrap'))).mode & 0o111).not.toBe(0);
    expect(await readFile(join(dir, 'lib/x.js'), 'utf8')).toBe('x');
    const again = await store.install(
      'fn-1',
      makeZip({ bootstrap: { content: '#!/bin/sh\n', mode: 0o755 }, 'lib/x.js': 'x' }).toString('base64'),
    );
    expect(again.checksum).toBe(v1.checksum);

    const v2 = await store.install('fn-1', makeZip({ 'index.js': 'v2' }).toString('base64'));
    await store.prune('fn-1', [v2.checksum]);
    await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
    await store.prune('fn-1');
    await expect(stat(join(dataDir, 'code', 'fn-1'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a zip over the size limit before decoding it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fcs-code-'));
    dirs.push(dataDir);
    const store = new CodeStore(dataDir, { maxZipBytes: 100, maxUnzippedBytes: 1 << 20 });
    await expect(
      store.install('fn', makeZip({ a: 'x'.repeat(500), b: 'y'.repeat(500) }).toString('base64')),
    ).rejects.toMatchObject({
      code: 'EntityTooLarge',
    });
  });

  it('answers an unsafe zip with InvalidArgument and leaves nothing behind', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fcs-code-'));
    dirs.push(dataDir);
    const store = new CodeStore(dataDir, { maxZipBytes: 1 << 20, maxUnzippedBytes: 1 << 20 });
    await expect(store.install('fn', makeZip({ '../evil': 'x' }).toString('base64'))).rejects.toMatchObject({
      status: 400,
      code: 'InvalidArgument',
      message: 'code.zipFile is not a usable zip: entry "../evil" points outside the code folder',
    });
    await expect(stat(join(dataDir, 'code'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
