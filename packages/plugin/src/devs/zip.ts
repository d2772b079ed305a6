import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { makeZip, type ZipEntry } from '@fc-sessions/internals/zip-writer';

/** Folders never shipped with function code: VCS data and the tools' own state. */
export const SKIPPED_DIRS = new Set(['.git', '.fcs', '.s', '.serverless']);

/** Every file under `dir` (symlinks followed), sorted by path, with its mode. */
export async function collectFiles(dir: string): Promise<ZipEntry[]> {
  const entries: ZipEntry[] = [];
  const walk = async (current: string) => {
    const names = (await readdir(current)).sort();
    for (const name of names) {
      const path = join(current, name);
      const info = await stat(path);
      if (info.isDirectory()) {
        if (!SKIPPED_DIRS.has(name)) await walk(path);
      } else if (info.isFile()) {
        entries.push({
          name: relative(dir, path).split(sep).join('/'),
          data: await readFile(path),
          mode: info.mode & 0o7777,
        });
      }
    }
  };
  await walk(dir);
  return entries;
}

/** Zips a code folder the way FC expects (`code.zipFile`): paths relative to the folder. */
export async function zipDirectory(dir: string): Promise<Buffer> {
  return makeZip(await collectFiles(dir));
}
