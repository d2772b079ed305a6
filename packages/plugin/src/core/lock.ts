import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { EXIT, PluginError } from './errors.js';
import { pause } from './pool.js';

/** What a lock file holds: who took it and for how long it may be held. */
interface LockOwner {
  pid: number;
  host: string;
  createdAt: string;
  /** The holder's run is bounded by this; an older lock is stale. */
  timeoutSeconds: number;
  token: string;
}

/** A lock file as found on disk; `owner` is undefined while its holder has not written it yet (or it is not ours). */
interface FoundLock {
  text: string;
  owner: LockOwner | undefined;
  modifiedMs: number;
}

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

/** Locks held by this process, removed synchronously if it exits while holding them. */
const held = new Map<string, string>();

function releaseAllOnExit(): void {
  for (const [path, token] of held) {
    try {
      if (readFileSync(path, 'utf8').includes(token)) unlinkSync(path);
    } catch {
      // Already gone: nothing to release.
    }
  }
  held.clear();
}

function hold(path: string, token: string): void {
  if (held.size === 0) process.on('exit', releaseAllOnExit);
  held.set(path, token);
}

function unhold(path: string): void {
  held.delete(path);
  if (held.size === 0) process.off('exit', releaseAllOnExit);
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (
      typeof value.pid === 'number' &&
      typeof value.host === 'string' &&
      typeof value.createdAt === 'string' &&
      typeof value.timeoutSeconds === 'number' &&
      typeof value.token === 'string'
    ) {
      return value as LockOwner;
    }
  } catch {
    // Empty or partly written: judged by its age alone.
  }
  return undefined;
}

async function readLock(path: string): Promise<FoundLock | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { text, owner: parseOwner(text), modifiedMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a found lock no longer protects anything, or undefined while it does. */
function staleReason(found: FoundLock, ownTimeoutSeconds: number, now = Date.now()): string | undefined {
  const { owner } = found;
  if (owner && owner.host === hostname() && !isRunning(owner.pid)) return `process ${owner.pid} is not running`;
  const since = owner ? Date.parse(owner.createdAt) : found.modifiedMs;
  const limit = owner?.timeoutSeconds ?? ownTimeoutSeconds;
  if (Number.isNaN(since) || now - since > limit * 1000) return `older than its run's timeout of ${limit} s`;
  return undefined;
}

/**
 * Moves a stale lock aside and removes it. Another waiter may have replaced it in between (and
 * hold a fresh one): then the moved file is not the one judged stale and is put back.
 */
async function takeOver(path: string, stale: FoundLock): Promise<boolean> {
  const aside = `${path}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const moved = await readFile(aside, 'utf8').catch(() => '');
  if (moved !== stale.text) {
    await link(aside, path).catch(() => undefined);
    await rm(aside, { force: true });
    return false;
  }
  await rm(aside, { force: true });
  return true;
}

function holderText(found: FoundLock | undefined): string {
  const owner = found?.owner;
  return owner ? `pid ${owner.pid} on ${owner.host}, since ${owner.createdAt}` : 'a run that is starting';
}

/**
 * Takes the lock of one manifest for one prefetch or prune run: `<manifest>.lock`, created with
 * O_EXCL (`wx`) and holding the pid, host, time and timeout. While another live run holds it,
 * waits (polling) until it is released or `signal` fires; then fails with `ManifestLocked` naming
 * the file. A stale lock (its process gone on this host, or older than its run's timeout) is taken
 * over with a warning. The lock is released by `release()`, or when the process exits.
 */
export async function lockManifest(manifestPath: string, options: LockOptions): Promise<ManifestLock> {
  const path = `${manifestPath}.lock`;
  const token = randomBytes(12).toString('hex');
  const started = Date.now();
  if (!options.existingFolderOnly) await mkdir(dirname(path), { recursive: true });
  let delay = 25;
  let last: FoundLock | undefined;
  for (;;) {
    if (options.signal?.aborted) {
      throw new PluginError({
        code: 'ManifestLocked',
        field: 'manifestDir',
        exitCode: EXIT.incomplete,
        cause: options.signal.reason,
        message:
          `${path} is held by another prefetch or prune (${holderText(last)}); gave up after ` +
          `${((Date.now() - started) / 1000).toFixed(1)} s. Run again once it is done; remove the file only if no such run is going on`,
      });
    }
    const owner: LockOwner = {
      pid: process.pid,
      host: hostname(),
      createdAt: new Date().toISOString(),
      timeoutSeconds: options.timeoutSeconds,
      token,
    };
    try {
      const handle = await open(path, 'wx', 0o600);
      hold(path, token);
      try {
        await handle.writeFile(`${JSON.stringify(owner)}\n`);
      } catch (error) {
        await handle.close();
        await rm(path, { force: true });
        unhold(path);
        throw error;
      }
      await handle.close();
      return { path, release: () => release(path, token) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && options.existingFolderOnly) return { path, release: async () => undefined };
      if (code !== 'EEXIST') throw error;
    }
    last = await readLock(path);
    if (last === undefined) continue;
    const stale = staleReason(last, options.timeoutSeconds);
    if (stale !== undefined) {
      if (await takeOver(path, last))
        options.onWarning?.(`took over the stale lock ${path} (${holderText(last)}: ${stale})`);
      continue;
    }
    await pause(delay, options.signal);
    delay = Math.min(delay * 2, 500);
  }
}

async function release(path: string, token: string): Promise<void> {
  if (!held.has(path) || held.get(path) !== token) return;
  unhold(path);
  const found = await readLock(path).catch(() => undefined);
  if (found?.owner?.token === token) await rm(path, { force: true });
}
