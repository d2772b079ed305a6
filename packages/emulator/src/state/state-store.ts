import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DurableFile } from '@fc-sessions/internals/durable-file';
import type { StateFile } from './records.js';
import { StateEncoder } from './state-encoder.js';

/**
 * `<dataDir>/state.json`, written whole to a temp file (synced with `syncState`) that is then renamed over the old
 * one, so the file is always either the old or the new state. One write runs at a time, and
 * `persist()` is a group commit: every caller waiting when a write begins shares that write, and
 * changes made while it runs are covered by the next single write. `touch()` only marks the state
 * dirty; a timer writes it at most every `flushIntervalMs`.
 */
export class StateStore {
  readonly file: string;
  private dirty = false;
  private readonly encoder = new StateEncoder();
  private readonly durable: DurableFile;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    dataDir: string,
    private readonly snapshot: () => StateFile,
    private readonly flushIntervalMs: number,
    sync: boolean,
  ) {
    this.file = join(dataDir, 'state.json');
    this.durable = new DurableFile(this.file, { sync });
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
    return this.durable.save(this.encode).catch((error: unknown) => {
      this.dirty = true;
      throw error;
    });
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    try {
      await this.persist();
    } finally {
      await this.durable.close();
    }
  }

  private readonly encode = (): Uint8Array => {
    this.dirty = false;
    return this.encoder.encode(this.snapshot());
  };
}
