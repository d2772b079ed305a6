import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { StateFile } from './records.js';
import { StateEncoder } from './state-encoder.js';

/** Windows cannot rename over a file that is open. */
const HOLD_REPLACED = process.platform !== 'win32';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * `<dataDir>/state.json`, written whole to a synced temp file that is then renamed over the old
 * one, so the file is always either the old or the new state. One write runs at a time, and
 * `persist()` is a group commit: every caller waiting when a write begins shares that write, and
 * changes made while it runs are covered by the next single write. `touch()` only marks the state
 * dirty; a timer writes it at most every `flushIntervalMs`.
 */
export class StateStore {
  readonly file: string;
  private dirty = false;
  /** Callers whose changes the next write must cover. */
  private waiting: Waiter[] = [];
  private writing = false;
  private readonly encoder = new StateEncoder();
  /**
   * The file last renamed into place, kept open: freeing the blocks of a replaced file can take
   * milliseconds, so the rename that replaces it only unlinks it and closing it afterwards frees
   * them off the path that answered callers wait on.
   */
  private current: FileHandle | undefined;
  private closing: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly snapshot: () => StateFile,
    private readonly flushIntervalMs: number,
  ) {
    this.file = join(dataDir, 'state.json');
  }

  async load(): Promise<StateFile | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const parsed = JSON.parse(text) as StateFile;
    if (parsed.version !== 1) throw new Error(`${this.file}: unknown state version ${String(parsed.version)}`);
    return parsed;
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.dirty) this.persist().catch(() => undefined);
    }, this.flushIntervalMs);
    this.timer.unref();
  }

  touch(): void {
    this.dirty = true;
  }

  /** Resolves once a write that began after this call, and so covers every change made before it, is on disk. */
  persist(): Promise<void> {
    this.dirty = true;
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.writing) {
        this.writing = true;
        void this.drain();
      }
    });
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.persist();
    this.release(this.current);
    this.current = undefined;
    await this.closing;
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      // Callers that arrive in the same turn of the event loop join this write.
      await new Promise((resolve) => setImmediate(resolve));
      const batch = this.waiting;
      this.waiting = [];
      let replaced: FileHandle | undefined;
      try {
        replaced = await this.write();
        for (const waiter of batch) waiter.resolve();
      } catch (error) {
        for (const waiter of batch) waiter.reject(error);
      }
      this.release(replaced);
    }
    this.writing = false;
  }

  private release(handle: FileHandle | undefined): void {
    if (handle) this.closing = Promise.all([this.closing, handle.close().catch(() => undefined)]);
  }

  /** Writes the state as it is now; resolves to the handle of the file it replaced, for the caller to close. */
  private async write(): Promise<FileHandle | undefined> {
    this.dirty = false;
    const temp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    let handle: FileHandle | undefined;
    try {
      const bytes = this.encoder.encode(this.snapshot());
      handle = await open(temp, 'w').catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        await mkdir(this.dataDir, { recursive: true });
        return open(temp, 'w');
      });
      await handle.writeFile(bytes);
      await handle.sync();
      if (!HOLD_REPLACED) await handle.close();
      await rename(temp, this.file);
    } catch (error) {
      this.dirty = true;
      await handle?.close().catch(() => undefined);
      await rm(temp, { force: true });
      throw error;
    }
    if (!HOLD_REPLACED) return undefined;
    const replaced = this.current;
    this.current = handle;
    return replaced;
  }
}
