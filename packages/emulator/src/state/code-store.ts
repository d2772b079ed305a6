import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { crc64 } from '@fc-sessions/internals/crc64';
import { readZip, unpackZip, type ZipEntry, ZipError } from '@fc-sessions/internals/zip-reader';
import { ApiError, entityTooLarge, invalidArgument } from '../errors.js';
import { checkSymlinks } from '../functions/code-paths.js';

export interface InstalledCode {
  readonly checksum: string;
  readonly size: number;
}

export interface CodeLimits {
  /** Largest zip accepted in `code.zipFile`, after base64 decoding. */
  readonly maxZipBytes: number;
  /** Largest total size the zip may unpack to. */
  readonly maxUnzippedBytes: number;
}

const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}\s*$/;

/** Function code on disk: `<dataDir>/code/<functionId>/<crc64>/`, unpacked once per distinct zip. */
export class CodeStore {
  readonly root: string;

  constructor(
    dataDir: string,
    private readonly limits: CodeLimits,
  ) {
    this.root = join(dataDir, 'code');
  }

  dir(functionId: string, checksum: string): string {
    return join(this.root, functionId, checksum);
  }

  /**
   * Decodes and unpacks `code.zipFile`; the folder appears whole (unpacked aside, then renamed) or
   * not at all. `check(dir)` runs on the unpacked folder before it is kept (a throw discards it).
   */
  async install(
    functionId: string,
    zipFileBase64: string,
    check: (dir: string) => Promise<void> = async () => undefined,
  ): Promise<InstalledCode> {
    if (!BASE64.test(zipFileBase64)) throw invalidArgument('code.zipFile must be base64 text');
    const approxBytes = Math.floor((zipFileBase64.length * 3) / 4);
    if (approxBytes > this.limits.maxZipBytes + 3) {
      throw entityTooLarge(
        `code.zipFile must be at most ${this.limits.maxZipBytes} bytes once decoded; got about ${approxBytes}`,
      );
    }
    const zip = Buffer.from(zipFileBase64, 'base64');
    let entries: ZipEntry[];
    try {
      entries = readZip(zip, this.limits.maxUnzippedBytes);
    } catch (error) {
      throw unusable(error);
    }
    const checksum = crc64(zip);
    const target = this.dir(functionId, checksum);
    if (await exists(target)) {
      await check(target);
      return { checksum, size: zip.length };
    }

    const staging = `${target}.tmp-${randomBytes(4).toString('hex')}`;
    try {
      await mkdir(staging, { recursive: true });
      await unpackZip(entries, staging).catch((error: unknown) => {
        throw unusable(error);
      });
      await checkSymlinks(staging);
      await check(staging);
      await rename(staging, target);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      if (!(error instanceof ApiError) && (await exists(target))) return { checksum, size: zip.length };
      throw error;
    }
    return { checksum, size: zip.length };
  }

  /** Removes every unpacked version of a function except `keep`. */
  async prune(functionId: string, keep?: readonly string[]): Promise<void> {
    const folder = join(this.root, functionId);
    let names: string[];
    try {
      names = await readdir(folder);
    } catch {
      return;
    }
    await Promise.all(
      names
        .filter((name) => !keep?.includes(name))
        .map((name) => rm(join(folder, name), { recursive: true, force: true })),
    );
    if (keep === undefined) await rm(folder, { recursive: true, force: true });
  }
}

/** A `ZipError` from reading or unpacking becomes FC's InvalidArgument. */
function unusable(error: unknown): unknown {
  return error instanceof ZipError ? invalidArgument(`code.zipFile is not a usable zip: ${error.message}`) : error;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
