import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** What a lock file holds: who took it and, when its work is bounded, for how long. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly createdAt: string;
  /** The holder's work ends within this; an older lock is stale. Absent: held until its process ends. */
  readonly timeoutSeconds?: number;
  readonly token: string;
}

export interface LockOptions {
  /**
   * While a live holder has the lock, poll until it is released or `signal` fires; without it the
   * first refusal throws.
   */
  wait?: boolean | undefined;
  /** Stops the wait; the lock then throws `LockHeldError`. */
  signal?: AbortSignal | undefined;
  /**
   * How long this holder's work may take: written into the lock, so that a lock older than its
   * holder's timeout is stale, and the age after which a lock nobody wrote an owner into is stale.
   */
  timeoutSeconds?: number | undefined;
  /** Told when a stale lock is taken over. */
  onWarning?: ((message: string) => void) | undefined;
  /** Do not create the lock's folder: when it does not exist, the lock returned holds nothing. */
  existingFolderOnly?: boolean | undefined;
}

export interface FileLock {
  readonly path: string;
  /** Removes the lock file if it is still this holder's; safe to call twice. */
  release(): Promise<void>;
}

/** The lock stayed held by someone else: at once without `wait`, or until `signal` fired. */
export class LockHeldError extends Error {
  readonly path: string;
  /** Undefined while the holder has not written itself into the file yet. */
  readonly holder: LockHolder | undefined;
  readonly waitedMs: number;

  constructor(path: string, holder: LockHolder | undefined, waitedMs: number, cause?: unknown) {
    super(`${path} is held by ${describeHolder(holder)}`, cause === undefined ? undefined : { cause });
    this.name = 'LockHeldError';
    this.path = path;
    this.holder = holder;
    this.waitedMs = waitedMs;
  }
}

export function describeHolder(holder: LockHolder | undefined): string {
  return holder ? `pid ${holder.pid} on ${holder.host}, since ${holder.createdAt}` : 'a holder that is starting';
}

/** A lock nobody wrote an owner into is taken for a crashed start after this, unless `timeoutSeconds` says otherwise. */
const UNWRITTEN_STALE_SECONDS = 10;

interface FoundLock {
  text: string;
  holder: LockHolder | undefined;
  modifiedMs: number;
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

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (
      typeof value.pid === 'number' &&
      typeof value.host === 'string' &&
      typeof value.createdAt === 'string' &&
      (value.timeoutSeconds === undefined || typeof value.timeoutSeconds === 'number') &&
      typeof value.token === 'string'
    ) {
      return value as LockHolder;
    }
  } catch {
    // Empty or partly written: judged by its age alone.
  }
  return undefined;
}

async function readLock(path: string): Promise<FoundLock | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { text, holder: parseHolder(text), modifiedMs: info.mtimeMs };
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
function staleReason(found: FoundLock, ownTimeoutSeconds: number | undefined): string | undefined {
  const { holder } = found;
  if (holder && holder.host === hostname() && !isRunning(holder.pid)) return `process ${holder.pid} is not running`;
  const since = holder ? Date.parse(holder.createdAt) : found.modifiedMs;
  const limit = holder ? holder.timeoutSeconds : (ownTimeoutSeconds ?? UNWRITTEN_STALE_SECONDS);
  if (limit === undefined) return undefined;
  if (Number.isNaN(since) || Date.now() - since > limit * 1000) return `older than its run's timeout of ${limit} s`;
  return undefined;
}

/**
 * Moves a stale lock aside and removes it. Another taker may have replaced it in between (and
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

async function release(path: string, token: string): Promise<void> {
  if (held.get(path) !== token) return;
  unhold(path);
  const found = await readLock(path).catch(() => undefined);
  if (found?.holder?.token === token) await rm(path, { force: true });
}

/**
 * Takes the lock file `path`: created with O_EXCL (`wx`, mode 0600) and holding the pid, host,
 * time and timeout. While a live holder has it, throws `LockHeldError` or, with `wait`, polls
 * until it is released or `signal` fires. A stale lock (its process gone on this host, or older
 * than its holder's timeout) is taken over with a warning. The lock is released by `release()`,
 * or when the process exits.
 */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<FileLock> {
  const token = randomBytes(12).toString('hex');
  const started = Date.now();
  if (!options.existingFolderOnly) await mkdir(dirname(path), { recursive: true });
  let delay = 25;
  let last: FoundLock | undefined;
  for (;;) {
    if (options.signal?.aborted) {
      throw new LockHeldError(path, last?.holder, Date.now() - started, options.signal.reason);
    }
    const holder: LockHolder = {
      pid: process.pid,
      host: hostname(),
      createdAt: new Date().toISOString(),
      ...(options.timeoutSeconds === undefined ? {} : { timeoutSeconds: options.timeoutSeconds }),
      token,
    };
    try {
      const handle = await open(path, 'wx', 0o600);
      hold(path, token);
      try {
        await handle.writeFile(`${JSON.stringify(holder)}\n`);
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
        options.onWarning?.(`took over the stale lock ${path} (${describeHolder(last.holder)}: ${stale})`);
      continue;
    }
    if (!options.wait) throw new LockHeldError(path, last.holder, Date.now() - started);
    await sleep(delay, undefined, { signal: options.signal }).catch(() => undefined);
    delay = Math.min(delay * 2, 500);
  }
}
