import { join } from 'node:path';
import { acquireLock, LockHeldError } from '@fc-sessions/internals/lock';

/**
 * Claims `<dataDir>/emulator.lock` for this emulator (see `acquireLock`), so that two emulators,
 * in one process or two, never write one data dir. A lock left by a process that no longer runs
 * is taken over. Resolves to its release.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  try {
    const lock = await acquireLock(join(dataDir, 'emulator.lock'));
    return () => lock.release();
  } catch (error) {
    if (!(error instanceof LockHeldError)) throw error;
    const holder = error.holder ? ` (pid ${error.holder.pid})` : '';
    throw new Error(`the data dir ${dataDir} is in use by another emulator${holder}`, { cause: error });
  }
}
