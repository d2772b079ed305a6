import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { crc64 } from '@fc-sessions/client/zip';
import { ApiError, entityTooLarge, invalidArgument } from '../errors.js';
import { checkSymlinks } from '../functions/code-paths.js';
import { readZip } from './zip-reader.js';

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
    const entries = readZip(zip, this.limits.maxUnzippedBytes);
    const checksum = crc64(zip);
    const target = this.dir(functionId, checksum);
    if (await exists(target)) {
      await check(target);
      return { checksum, size: zip.length };
    }

    const staging = `${target}.tmp-${randomBytes(4).toString('hex')}`;
    try {
      await mkdir(staging, { recursive: true });
      const root = resolve(staging);
      for (const entry of entries) {
        const path = join(staging, ...entry.path.split('/'));
        if (entry.kind === 'directory') {
          await mkdir(path, { recursive: true, mode: entry.mode | 0o700 });
          continue;
        }
        await mkdir(dirname(path), { recursive: true });
        if (entry.kind === 'symlink') {
          const linkTarget = entry.data().toString('utf8');
          const resolved = resolve(dirname(path), linkTarget);
          if (resolved !== root && !resolved.startsWith(root + sep)) {
            throw invalidArgument(
              `code.zipFile is not a usable zip: symlink "${entry.path}" points outside the code folder`,
            );
          }
          await symlink(linkTarget, path);
          continue;
        }
        await writeFile(path, entry.data());
        await chmod(path, entry.mode | 0o400);
      }
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

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
