import { acquireLock, describeHolder, LockHeldError } from '@fc-sessions/internals/lock';
import { EXIT, PluginError } from './errors.js';

export interface LockOptions {
  /** The run's timeout: bounds the wait, is written into the lock, and makes older locks stale. */
  timeoutSeconds: number;
  /** Stops the wait (the run's deadline or the caller's abort); the wait then fails with `ManifestLocked`. */
  signal?: AbortSignal | undefined;
  /** Told when a stale lock is taken over. */
  onWarning?: ((message: string) => void) | undefined;
  /**
   * Do not create the manifest's folder: when it does not exist there is no manifest to change
   * (prune), and the lock returned holds nothing.
   */
  existingFolderOnly?: boolean | undefined;
}

export interface ManifestLock {
  readonly path: string;
  /** Removes the lock file if it is still this run's; safe to call twice. */
  release(): Promise<void>;
}

/**
 * Takes the lock of one manifest for one prefetch or prune run: `<manifest>.lock` (see
 * `acquireLock`). While another live run holds it, waits until it is released or `signal` fires;
 * then fails with `ManifestLocked` naming the file and its holder. A stale lock (its process gone
 * on this host, or older than its run's timeout) is taken over with a warning.
 */
export async function lockManifest(manifestPath: string, options: LockOptions): Promise<ManifestLock> {
  try {
    return await acquireLock(`${manifestPath}.lock`, { ...options, wait: true });
  } catch (error) {
    if (!(error instanceof LockHeldError)) throw error;
    throw new PluginError({
      code: 'ManifestLocked',
      field: 'manifestDir',
      exitCode: EXIT.incomplete,
      cause: error.cause,
      message:
        `${error.path} is held by another prefetch or prune (${describeHolder(error.holder)}); gave up after ` +
        `${(error.waitedMs / 1000).toFixed(1)} s. Run again once it is done; remove the file only if no such run is going on`,
    });
  }
}
