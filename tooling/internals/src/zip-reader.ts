import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** Normalised relative path with `/` separators; directories end without a slash. */
  readonly path: string;
  readonly kind: 'file' | 'directory' | 'symlink';
  /** Unix permission bits (0o644 / 0o755 when the zip has none). */
  readonly mode: number;
  /** A file's bytes, or a symlink's target. */
  readonly data: () => Buffer;
}

/** The archive cannot be unpacked safely; `message` says why, for the caller to put in its own error. */
export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipError';
  }
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
/** As Linux's ELOOP: a symlink chain longer than this is refused. */
const MAX_SYMLINK_HOPS = 40;

function findEndOfCentralDirectory(zip: Buffer): number {
  const stop = Math.max(0, zip.length - 22 - 0xffff);
  for (let i = zip.length - 22; i >= stop; i--) {
    if (zip.readUInt32LE(i) === EOCD) return i;
  }
  throw new ZipError('no end-of-central-directory record');
}

/** Refuses absolute paths, drive letters and `..` so that no entry can land outside its folder. */
function safePath(name: string): string {
  const parts = name.replace(/\\/g, '/').split('/');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw new ZipError(`entry "${name}" has an absolute path`);
  const kept = parts.filter((part) => part !== '' && part !== '.');
  if (kept.some((part) => part === '..')) throw new ZipError(`entry "${name}" points outside the code folder`);
  return kept.join('/');
}

/**
 * Follows `target`, written in the symlink at `path`, through the archive's own symlinks, as the
 * kernel would once the archive is unpacked; throws unless every step stays inside the folder.
 */
function checkSymlink(path: string, links: ReadonlyMap<string, string>): void {
  const outside = () => new ZipError(`symlink "${path}" points outside the code folder`);
  const target = links.get(path)!;
  if (target === '') throw new ZipError(`symlink "${path}" has no target`);
  if (target.startsWith('/')) throw outside();
  const at = path.split('/').slice(0, -1);
  let pending = target.split('/');
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (at.length === 0) throw outside();
      at.pop();
      continue;
    }
    at.push(part);
    const next = links.get(at.join('/'));
    if (next === undefined) continue;
    if (++hops > MAX_SYMLINK_HOPS)
      throw new ZipError(`symlink "${path}" is a loop or a chain of more than ${MAX_SYMLINK_HOPS}`);
    if (next.startsWith('/')) throw outside();
    at.pop();
    pending = [...next.split('/'), ...pending];
  }
}

/** Refuses entries that would be written through a symlink or a file, and paths given twice. */
function checkTree(entries: readonly ZipEntry[]): void {
  const kinds = new Map<string, ZipEntry['kind']>();
  for (const entry of entries) {
    const before = kinds.get(entry.path);
    if (before !== undefined && (before !== 'directory' || entry.kind !== 'directory'))
      throw new ZipError(`entry "${entry.path}" appears twice`);
    kinds.set(entry.path, entry.kind);
  }
  const links = new Map<string, string>();
  for (const entry of entries) {
    const parts = entry.path.split('/');
    for (let n = 1; n < parts.length; n++) {
      const parent = parts.slice(0, n).join('/');
      const kind = kinds.get(parent);
      if (kind === 'file' || kind === 'symlink')
        throw new ZipError(`entry "${entry.path}" is inside the ${kind} "${parent}"`);
    }
    if (entry.kind === 'symlink') links.set(entry.path, entry.data().toString('utf8'));
  }
  for (const path of links.keys()) checkSymlink(path, links);
}

/**
 * Reads a zip archive held in memory: stored and deflated entries, Unix modes and symlinks. Throws
 * `ZipError` for zip64, encryption, other compression methods, more than `maxUnzippedBytes` once
 * unpacked, a path or symlink (or chain of symlinks) that leaves the folder, and an entry that
 * would be written through a symlink. A file's bytes are inflated when `data()` is called.
 */
export function readZip(zip: Buffer, maxUnzippedBytes: number): ZipEntry[] {
  if (zip.length < 22) throw new ZipError('too short');
  const end = findEndOfCentralDirectory(zip);
  const count = zip.readUInt16LE(end + 10);
  const cdOffset = zip.readUInt32LE(end + 16);
  if (cdOffset === 0xffffffff || count === 0xffff) throw new ZipError('zip64 archives are not supported');
  const entries: ZipEntry[] = [];
  let total = 0;
  let at = cdOffset;
  for (let n = 0; n < count; n++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL) throw new ZipError('broken central directory');
    const madeBy = zip.readUInt16LE(at + 4) >> 8;
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const external = zip.readUInt32LE(at + 38);
    const localOffset = zip.readUInt32LE(at + 42);
    const rawName = zip.subarray(at + 46, at + 46 + nameLength).toString(flags & 0x800 ? 'utf8' : 'latin1');
    at += 46 + nameLength + extraLength + commentLength;

    if (flags & 1) throw new ZipError(`entry "${rawName}" is encrypted`);
    if (method !== 0 && method !== 8)
      throw new ZipError(`entry "${rawName}" uses compression method ${method} (only stored and deflate)`);
    total += size;
    if (total > maxUnzippedBytes) throw new ZipError(`it unpacks to more than ${maxUnzippedBytes} bytes`);

    const unixMode = madeBy === 3 ? external >>> 16 : 0;
    const isDirectory = rawName.endsWith('/') || (unixMode & S_IFMT) === S_IFDIR;
    const path = safePath(rawName);
    if (path === '') continue;
    const kind = isDirectory ? 'directory' : (unixMode & S_IFMT) === S_IFLNK ? 'symlink' : 'file';
    const mode = unixMode & 0o777 || (isDirectory ? 0o755 : 0o644);

    if (localOffset + 30 > zip.length || zip.readUInt32LE(localOffset) !== LOCAL)
      throw new ZipError(`entry "${rawName}" has no local header`);
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    if (dataStart + compressedSize > zip.length) throw new ZipError(`entry "${rawName}" is truncated`);
    const data = () => {
      const raw = zip.subarray(dataStart, dataStart + compressedSize);
      if (method === 0) return Buffer.from(raw);
      try {
        return inflateRawSync(raw, { maxOutputLength: Math.max(size, 1) });
      } catch (error) {
        throw new ZipError(`entry "${rawName}" does not inflate: ${(error as Error).message}`);
      }
    };
    entries.push({ path, kind, mode, data });
  }
  checkTree(entries);
  return entries;
}

/**
 * Writes the entries of `readZip` under `folder`, which must be new and empty: folders and files
 * first (created, never overwritten, so nothing is written through a link), symlinks last.
 */
export async function unpackZip(entries: readonly ZipEntry[], folder: string): Promise<void> {
  const links: ZipEntry[] = [];
  for (const entry of entries) {
    const path = join(folder, ...entry.path.split('/'));
    if (entry.kind === 'directory') {
      await mkdir(path, { recursive: true, mode: entry.mode | 0o700 });
    } else if (entry.kind === 'symlink') {
      links.push(entry);
    } else {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, entry.data(), { flag: 'wx' });
      await chmod(path, entry.mode | 0o400);
    }
  }
  for (const entry of links) {
    const path = join(folder, ...entry.path.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await symlink(entry.data().toString('utf8'), path);
  }
}
