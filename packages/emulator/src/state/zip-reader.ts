import { inflateRawSync } from 'node:zlib';
import { invalidArgument } from '../errors.js';

export interface ZipEntry {
  /** Normalised relative path with `/` separators; directories end without a slash. */
  readonly path: string;
  readonly kind: 'file' | 'directory' | 'symlink';
  /** Unix permission bits (0o644 / 0o755 when the zip has none). */
  readonly mode: number;
  readonly data: () => Buffer;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

const bad = (why: string) => invalidArgument(`code.zipFile is not a usable zip: ${why}`);

function findEndOfCentralDirectory(zip: Buffer): number {
  const stop = Math.max(0, zip.length - 22 - 0xffff);
  for (let i = zip.length - 22; i >= stop; i--) {
    if (zip.readUInt32LE(i) === EOCD) return i;
  }
  throw bad('no end-of-central-directory record');
}

/** Refuses absolute paths, drive letters and `..` so that no entry can land outside its folder. */
function safePath(name: string): string {
  const parts = name.replace(/\\/g, '/').split('/');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw bad(`entry "${name}" has an absolute path`);
  const kept = parts.filter((part) => part !== '' && part !== '.');
  if (kept.some((part) => part === '..')) throw bad(`entry "${name}" points outside the code folder`);
  return kept.join('/');
}

/**
 * Reads a zip archive held in memory: stored and deflated entries, Unix modes and symlinks.
 * Zip64, encryption and other compression methods are refused with InvalidArgument.
 */
export function readZip(zip: Buffer, maxUnzippedBytes: number): ZipEntry[] {
  if (zip.length < 22) throw bad('too short');
  const end = findEndOfCentralDirectory(zip);
  const count = zip.readUInt16LE(end + 10);
  const cdOffset = zip.readUInt32LE(end + 16);
  if (cdOffset === 0xffffffff || count === 0xffff) throw bad('zip64 archives are not supported');
  const entries: ZipEntry[] = [];
  let total = 0;
  let at = cdOffset;
  for (let n = 0; n < count; n++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL) throw bad('broken central directory');
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

    if (flags & 1) throw bad(`entry "${rawName}" is encrypted`);
    if (method !== 0 && method !== 8)
      throw bad(`entry "${rawName}" uses compression method ${method} (only stored and deflate)`);
    total += size;
    if (total > maxUnzippedBytes) throw bad(`it unpacks to more than ${maxUnzippedBytes} bytes`);

    const unixMode = madeBy === 3 ? external >>> 16 : 0;
    const isDirectory = rawName.endsWith('/') || (unixMode & S_IFMT) === S_IFDIR;
    const path = safePath(rawName);
    if (path === '') continue;
    const kind = isDirectory ? 'directory' : (unixMode & S_IFMT) === S_IFLNK ? 'symlink' : 'file';
    const mode = unixMode & 0o777 || (isDirectory ? 0o755 : 0o644);

    if (localOffset + 30 > zip.length || zip.readUInt32LE(localOffset) !== LOCAL)
      throw bad(`entry "${rawName}" has no local header`);
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    if (dataStart + compressedSize > zip.length) throw bad(`entry "${rawName}" is truncated`);
    const data = () => {
      const raw = zip.subarray(dataStart, dataStart + compressedSize);
      if (method === 0) return Buffer.from(raw);
      try {
        return inflateRawSync(raw, { maxOutputLength: Math.max(size, 1) });
      } catch (error) {
        throw bad(`entry "${rawName}" does not inflate: ${(error as Error).message}`);
      }
    };
    entries.push({ path, kind, mode, data });
  }
  return entries;
}
