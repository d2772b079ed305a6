import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Data dirs locked by this process (a pid file cannot tell two emulators in one process apart). */
const heldHere = new Set<string>();

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims `<dataDir>/emulator.lock` for this process, so that two emulators never write one data
 * dir. A lock left by a process that no longer runs is taken over. Resolves to its release.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  if (heldHere.has(dataDir))
    throw new Error(`the data dir ${dataDir} is in use by another emulator (pid ${process.pid})`);
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, 'emulator.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      heldHere.add(dataDir);
      return async () => {
        heldHere.delete(dataDir);
        await rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && running(owner)) {
        throw new Error(`the data dir ${dataDir} is in use by another emulator (pid ${owner})`);
      }
      await rm(file, { force: true });
    }
  }
  throw new Error(`could not lock the data dir ${dataDir}`);
}
