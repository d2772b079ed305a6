import { randomBytes } from 'node:crypto';
// `promises` read where it is used: a CommonJS bundle then loads node:fs/promises on the first
// write, not with this module (a process that only reads a manifest, like `fcs invoke`, never does).
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Windows cannot rename over a file that is open, nor open a folder to sync it. */
const POSIX = process.platform !== 'win32';

export interface DurableFileOptions {
  /** Permission bits of a newly written file (default 0o666, less the umask). */
  mode?: number | undefined;
  /**
   * fsync each temp file before it is renamed into place, and the folder after (default true): a
   * write that resolved then survives a machine crash, not only the writer's `kill -9`, for two
   * waits on the disk's journal per write.
   */
  sync?: boolean | undefined;
}

/** What a write puts in the file: its whole content, or undefined to delete the file. */
export type Encode = () => Uint8Array | string | undefined;

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * A file that is only ever replaced whole: each write goes to a temp file (synced unless told
 * otherwise) that is then
 * renamed over the old one, so the file is always either the old or the new content, and a failed
 * write leaves no temp file behind. One write runs at a time, and `save()` is a group commit: every
 * caller waiting when a write begins shares that write, which encodes the content as it is then.
 */
export class DurableFile {
  readonly path: string;
  readonly #mode: number;
  readonly #sync: boolean;
  #waiting: Waiter[] = [];
  /** The encoder of the latest `save()`, used by the next write. */
  #encode: Encode = () => undefined;
  /** The running write loop, while there is one. */
  #drained: Promise<void> | undefined;
  /**
   * The file last renamed into place, kept open: freeing the blocks of a replaced file can take
   * milliseconds (ext4 with discard), so the rename that replaces it only unlinks it, and closing
   * it afterwards frees them off the path that waiting callers are answered on.
   */
  #current: FileHandle | undefined;
  #closing: Promise<unknown> = Promise.resolve();

  constructor(path: string, options: DurableFileOptions = {}) {
    this.path = path;
    this.#mode = options.mode ?? 0o666;
    this.#sync = options.sync ?? true;
  }

  /**
   * Resolves once a write that began after this call is on disk; that write calls the `encode` of
   * the latest `save()` when it begins. A failed write (encode included) rejects exactly the callers
   * that shared it.
   */
  save(encode: Encode): Promise<void> {
    this.#encode = encode;
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#drained ??= this.#drain();
    });
  }

  /** Deletes the file, in turn with the writes (a missing file is fine). */
  remove(): Promise<void> {
    return this.save(() => undefined);
  }

  /** Waits for the writes asked for so far, then closes the file this object holds open. */
  async close(): Promise<void> {
    while (this.#drained) await this.#drained;
    this.#release(this.#current);
    this.#current = undefined;
    await this.#closing;
  }

  async #drain(): Promise<void> {
    while (this.#waiting.length > 0) {
      // Callers that arrive in the same turn of the event loop join this write.
      await new Promise((resolve) => setImmediate(resolve));
      const batch = this.#waiting;
      this.#waiting = [];
      let replaced: FileHandle | undefined;
      try {
        replaced = await this.#write(this.#encode);
        for (const waiter of batch) waiter.resolve();
      } catch (error) {
        for (const waiter of batch) waiter.reject(error);
      }
      this.#release(replaced);
    }
    this.#drained = undefined;
  }

  #release(handle: FileHandle | undefined): void {
    if (handle) this.#closing = Promise.all([this.#closing, handle.close().catch(() => undefined)]);
  }

  /** Writes what `encode` returns; resolves to the handle of the file it replaced, for the caller to close. */
  async #write(encode: Encode): Promise<FileHandle | undefined> {
    const content = encode();
    if (content === undefined) {
      await fs.rm(this.path, { force: true });
      if (this.#sync && POSIX) await syncFolder(dirname(this.path));
      const removed = this.#current;
      this.#current = undefined;
      return removed;
    }
    const temp = `${this.path}.${randomBytes(4).toString('hex')}.tmp`;
    let handle: FileHandle | undefined;
    try {
      handle = await fs.open(temp, 'w', this.#mode).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        await fs.mkdir(dirname(this.path), { recursive: true });
        return fs.open(temp, 'w', this.#mode);
      });
      await handle.writeFile(content);
      if (this.#sync) await handle.sync();
      if (!POSIX) await handle.close();
      await fs.rename(temp, this.path);
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await fs.rm(temp, { force: true });
      throw error;
    }
    if (!POSIX) return undefined;
    const replaced = this.#current;
    this.#current = handle;
    if (this.#sync) {
      // The new content is in place whatever the folder's sync says: only its durability is in question.
      await syncFolder(dirname(this.path)).catch((error: unknown) => {
        this.#release(replaced);
        throw error;
      });
    }
    return replaced;
  }
}

/**
 * What opening or syncing a folder answers where it cannot be done at all (some FUSE and network
 * file systems, a folder without read permission) or need not be (the folder is gone): the write
 * then stands as it is, as durable as that file system makes it.
 */
const FOLDER_SYNC_UNAVAILABLE = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EISDIR', 'EPERM', 'EACCES', 'ENOENT']);

/** Makes a rename in `folder` durable: until the folder is synced, a crash can undo it. */
async function syncFolder(folder: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await fs.open(folder, 'r');
    await handle.sync();
  } catch (error) {
    if (!FOLDER_SYNC_UNAVAILABLE.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}
