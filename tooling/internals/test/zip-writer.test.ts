import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeZip } from '../src/zip-writer.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fcs-zip-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('makeZip', () => {
  it("writes an archive python's zipfile reads back byte for byte, with modes and UTF-8 names", async () => {
    // Prepare
    const entries = [
      { name: 'index.js', data: Buffer.from('exports.handler = async () => "hi";\n'.repeat(50)) },
      { name: 'bin/bootstrap', data: Buffer.from('#!/bin/sh\nexec node index.js\n'), mode: 0o755 },
      { name: 'data/größe.txt', data: Buffer.from('ü'), store: true },
    ];
    const archive = join(dir, 'code.zip');

    // Act
    await writeFile(archive, makeZip(entries));

    // Assess
    execFileSync('python3', ['-m', 'zipfile', '-e', archive, join(dir, 'out')]);
    for (const entry of entries) {
      expect(await readFile(join(dir, 'out', entry.name))).toEqual(entry.data);
    }
    const listing = execFileSync('python3', [
      '-c',
      'import sys, zipfile; [print(i.filename, oct(i.external_attr >> 16 & 0o777), i.compress_type) for i in zipfile.ZipFile(sys.argv[1]).infolist()]',
      archive,
    ]).toString();
    expect(listing).toContain('bin/bootstrap 0o755 8');
    expect(listing).toContain('index.js 0o644 8');
    expect(listing).toContain('data/größe.txt 0o644 0');
    expect((await stat(archive)).size).toBeLessThan(entries[0]!.data.length);
  });

  it('gives the same bytes for the same files (a stable code checksum)', () => {
    const entries = [{ name: 'a.txt', data: Buffer.from('a') }];
    expect(makeZip(entries).equals(makeZip(entries))).toBe(true);
  });
});
