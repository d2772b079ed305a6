import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CodeStore } from '../src/state/code-store.js';
import { crc64 } from '@fc-sessions/client/zip';
import { readZip } from '../src/state/zip-reader.js';
import { makeZip } from './helpers/zip.js';

describe('crc64', () => {
  it('is CRC-64/XZ (the check value of "123456789")', () => {
    expect(BigInt(crc64(Buffer.from('123456789'))).toString(16)).toBe('995dc9bbdf1939fa');
    expect(crc64(Buffer.alloc(0))).toBe('0');
  });
});

describe('readZip', () => {
  it('reads deflated and stored entries with their modes', () => {
    const zip = makeZip({
      'a.txt': 'alpha',
      'bin/run': { content: '#!/bin/sh\necho hi\n', mode: 0o755 },
      'raw.bin': { content: Buffer.from([1, 2, 3]), store: true },
    });
    const entries = readZip(zip, 1024);
    expect(entries.map((entry) => [entry.path, entry.kind, entry.mode])).toEqual([
      ['a.txt', 'file', 0o644],
      ['bin/run', 'file', 0o755],
      ['raw.bin', 'file', 0o644],
    ]);
    expect(entries[0]!.data().toString()).toBe('alpha');
    expect([...entries[2]!.data()]).toEqual([1, 2, 3]);
  });

  it('refuses paths that leave the folder, zips that unpack too large, and garbage', () => {
    expect(() => readZip(makeZip({ '../evil': 'x' }), 1024)).toThrow(/outside the code folder/);
    expect(() => readZip(makeZip({ '/etc/passwd': 'x' }), 1024)).toThrow(/absolute path/);
    expect(() => readZip(makeZip({ big: 'x'.repeat(2000) }), 1000)).toThrow(/more than 1000 bytes/);
    expect(() => readZip(Buffer.from('definitely not a zip archive'), 1024)).toThrow(/end-of-central-directory/);
  });
});

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
});
