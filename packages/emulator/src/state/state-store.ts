import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StateFile } from './records.js';

/**
 * `<dataDir>/state.json`, written whole to a temp file and renamed over the old one. Writes are
 * serialised and coalesced: every caller of `persist()` waiting at the same time shares one write.
 * `touch()` only marks the state dirty; a timer writes it at most every `flushIntervalMs`.
 */
export class StateStore {
  readonly file: string;
  private dirty = false;
  private writing: Promise<void> | undefined;
  private next: Promise<void> | undefined;
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

  /** Resolves once a write that began after this call has finished. */
  persist(): Promise<void> {
    this.dirty = true;
    if (!this.writing) {
      this.writing = this.write().finally(() => {
        this.writing = undefined;
      });
      return this.writing;
    }
    this.next ??= this.writing.then(() => {
      this.next = undefined;
      return this.persist();
    });
    return this.next;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.persist();
  }

  private async write(): Promise<void> {
    this.dirty = false;
    const text = JSON.stringify(this.snapshot());
    await mkdir(this.dataDir, { recursive: true });
    const temp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(temp, text);
      await rename(temp, this.file);
    } catch (error) {
      this.dirty = true;
      await rm(temp, { force: true });
      throw error;
    }
  }
}
