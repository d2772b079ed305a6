import { execFileSync } from 'node:child_process';
import { lstat, mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readZip, unpackZip, ZipError } from '../src/zip-reader.js';
import { makeZip } from '../src/zip-writer.js';

type Member = [name: string, content: string] | [name: string, target: string, kind: 'symlink'];

/** A zip as Info-ZIP's `zip --symlinks` writes one (python's zipfile: our writer stores files only). */
function zipWith(members: Member[]): Buffer {
  const script = `
import io, json, sys, zipfile
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as archive:
    for member in json.loads(sys.argv[1]):
        info = zipfile.ZipInfo(member[0])
        info.create_system = 3
        info.external_attr = (0o120777 if len(member) == 3 else 0o100644) << 16
        archive.writestr(info, member[1])
sys.stdout.buffer.write(buffer.getvalue())`;
  return execFileSync('python3', ['-c', script, JSON.stringify(members)]);
}

const files = (entries: { name: string; text: string }[]) =>
  makeZip(entries.map(({ name, text }) => ({ name, data: Buffer.from(text) })));

describe('readZip', () => {
  it('reads deflated and stored entries with their modes', () => {
    // Prepare
    const zip = makeZip([
      { name: 'a.txt', data: Buffer.from('alpha') },
      { name: 'bin/run', data: Buffer.from('#!/bin/sh\necho hi\n'), mode: 0o755 },
      { name: 'raw.bin', data: Buffer.from([1, 2, 3]), store: true },
    ]);

    // Act
    const entries = readZip(zip, 1024);

    // Assess
    expect(entries.map((entry) => [entry.path, entry.kind, entry.mode])).toEqual([
      ['a.txt', 'file', 0o644],
      ['bin/run', 'file', 0o755],
      ['raw.bin', 'file', 0o644],
    ]);
    expect(entries[0]!.data().toString()).toBe('alpha');
    expect([...entries[2]!.data()]).toEqual([1, 2, 3]);
  });

  it('refuses paths that leave the folder, zips that unpack too large, and garbage, with ZipError', () => {
    expect(() => readZip(files([{ name: '../evil', text: 'x' }]), 1024)).toThrow(/outside the code folder/);
    expect(() => readZip(files([{ name: '/etc/passwd', text: 'x' }]), 1024)).toThrow(/absolute path/);
    expect(() => readZip(files([{ name: 'big', text: 'x'.repeat(2000) }]), 1000)).toThrow(/more than 1000 bytes/);
    expect(() => readZip(Buffer.from('definitely not a zip archive'), 1024)).toThrow(ZipError);
    expect(() => readZip(Buffer.from('definitely not a zip archive'), 1024)).toThrow(/end-of-central-directory/);
  });

  it('keeps symlinks that stay inside the folder, followed through each other', () => {
    // Prepare
    const zip = zipWith([
      ['lib/index.js', 'module.exports = 1;'],
      ['main.js', 'lib/index.js', 'symlink'],
      ['lib/self', '.', 'symlink'],
      ['up', 'lib/self/..', 'symlink'],
      ['nested/deeper/back', '../../lib', 'symlink'],
    ]);

    // Act
    const entries = readZip(zip, 1024);

    // Assess
    expect(entries.map((entry) => [entry.path, entry.kind])).toEqual([
      ['lib/index.js', 'file'],
      ['main.js', 'symlink'],
      ['lib/self', 'symlink'],
      ['up', 'symlink'],
      ['nested/deeper/back', 'symlink'],
    ]);
    expect(entries[1]!.data().toString()).toBe('lib/index.js');
  });

  it('refuses a symlink, or a chain of them, that leads out of the folder', () => {
    const refused = (members: Member[]) => () => readZip(zipWith(members), 1024);
    expect(refused([['etc', '/etc', 'symlink']])).toThrow('symlink "etc" points outside the code folder');
    expect(refused([['a/up', '../..', 'symlink']])).toThrow('symlink "a/up" points outside the code folder');
    // Each link alone stays inside; followed one through the other they lead to the folder's parent.
    expect(
      refused([
        ['d/root', '..', 'symlink'],
        ['d/escape', 'root/..', 'symlink'],
      ]),
    ).toThrow('symlink "d/escape" points outside the code folder');
    expect(
      refused([
        ['one', 'two/x', 'symlink'],
        ['two', 'three', 'symlink'],
        ['three', '..', 'symlink'],
      ]),
    ).toThrow('symlink "one" points outside the code folder');
    expect(
      refused([
        ['loop-a', 'loop-b', 'symlink'],
        ['loop-b', 'loop-a', 'symlink'],
      ]),
    ).toThrow(/is a loop or a chain of more than 40/);
    expect(refused([['empty', '', 'symlink']])).toThrow('symlink "empty" has no target');
  });

  it('refuses an entry written through a symlink or a file, and a path given twice', () => {
    const refused = (members: Member[]) => () => readZip(zipWith(members), 1024);
    expect(
      refused([
        ['link', 'lib', 'symlink'],
        ['link/x.js', 'x'],
      ]),
    ).toThrow('entry "link/x.js" is inside the symlink "link"');
    expect(
      refused([
        ['a', 'file'],
        ['a/b', 'x'],
      ]),
    ).toThrow('entry "a/b" is inside the file "a"');
    expect(
      refused([
        ['same', 'one'],
        ['same', 'two'],
      ]),
    ).toThrow('entry "same" appears twice');
  });
});

describe('unpackZip', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('writes files with their modes and the symlinks as links', async () => {
    // Prepare
    const folder = join(await mkdtemp(join(tmpdir(), 'fcs-unzip-')), 'code');
    dirs.push(join(folder, '..'));
    const zip = zipWith([
      ['lib/index.js', 'module.exports = 1;'],
      ['main.js', 'lib/index.js', 'symlink'],
    ]);

    // Act
    await unpackZip(readZip(zip, 1024), folder);

    // Assess
    expect(await readFile(join(folder, 'lib/index.js'), 'utf8')).toBe('module.exports = 1;');
    expect((await lstat(join(folder, 'main.js'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(folder, 'main.js'))).toBe('lib/index.js');
    expect(await readFile(join(folder, 'main.js'), 'utf8')).toBe('module.exports = 1;');
  });
});
