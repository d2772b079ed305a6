import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DurableFile } from '@fc-sessions/internals/durable-file';
import { Journal } from './journal.js';
import type { SessionRecord, StateFile } from './records.js';
import { StateEncoder } from './state-encoder.js';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

const SESSION_LINE = Buffer.from('{"session":');
const LINE_END = Buffer.from('}\n');

/**
 * `<dataDir>/state.json` and its journal. A full write goes to a temp file (synced with
 * `syncState`) that is then renamed over the old one, so the file is always either the old or the
 * new state; a session change is a line appended to the journal, which costs the size of that
 * change rather than of every session. One write runs at a time, and every caller waiting when it
 * begins shares it (group commit): changes made while it runs are covered by the next single
 * write, a full one if any caller asked for one. `touch()` only marks the state dirty; a timer
 * writes it, and so folds the journal into `state.json`, at most every `flushIntervalMs`.
 */
export class StateStore {
  readonly file: string;
  private dirty = false;
  private readonly encoder = new StateEncoder();
  private readonly durable: DurableFile;
  private readonly journal: Journal;
  private timer: NodeJS.Timeout | undefined;
  private waiting: Waiter[] = [];
  private lines: Buffer[] = [];
  private fullWrite = false;
  /** The journal's last append failed and may have left half a line: the next write is a full one. */
  private journalBroken = false;
  private drained: Promise<void> | undefined;

  constructor(
    dataDir: string,
    private readonly snapshot: () => StateFile,
    private readonly flushIntervalMs: number,
    sync: boolean,
  ) {
    this.file = join(dataDir, 'state.json');
    this.durable = new DurableFile(this.file, { sync });
    this.journal = new Journal(dataDir, sync);
  }

  /** The state as last answered: `state.json` with the journal's changes since applied. */
  async load(): Promise<StateFile | undefined> {
    let parsed: StateFile | undefined;
    try {
      parsed = JSON.parse(await readFile(this.file, 'utf8')) as StateFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (parsed && parsed.version !== 1)
      throw new Error(`${this.file}: unknown state version ${String(parsed.version)}`);
    return this.journal.load(parsed);
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

  /** Resolves once a full write that began after this call, and so covers every change made before it, is on disk. */
  persist(): Promise<void> {
    this.dirty = true;
    this.fullWrite = true;
    return this.enqueue();
  }

  /** Resolves once the session's record as it is now is on disk. */
  saveSession(record: SessionRecord): Promise<void> {
    this.lines.push(SESSION_LINE, this.encoder.session(record), LINE_END);
    this.dirty = true;
    return this.enqueue();
  }

  /** Resolves once the removal of session `key` (`<functionName>/<sessionId>`) is on disk. */
  removeSession(key: string, retired: boolean): Promise<void> {
    this.lines.push(Buffer.from(`${JSON.stringify({ removed: key, retired })}\n`));
    this.dirty = true;
    return this.enqueue();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    try {
      await this.persist();
    } finally {
      await this.journal.close();
      await this.durable.close();
    }
  }

  private enqueue(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.drained ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      // Callers that arrive in the same turn of the event loop join this write.
      await new Promise((resolve) => setImmediate(resolve));
      const batch = this.waiting;
      const lines = this.lines;
      const full = this.fullWrite || this.journalBroken;
      this.waiting = [];
      this.lines = [];
      this.fullWrite = false;
      try {
        if (full) await this.writeAll();
        else if (lines.length > 0) await this.appendLines(lines);
        for (const waiter of batch) waiter.resolve();
      } catch (error) {
        for (const waiter of batch) waiter.reject(error);
      }
    }
    this.drained = undefined;
  }

  private async appendLines(lines: Buffer[]): Promise<void> {
    try {
      await this.journal.append(Buffer.concat(lines));
    } catch (error) {
      this.journalBroken = true;
      throw error;
    }
  }

  /** `state.json` as the state is now, starting the next journal generation; the older journals are removed. */
  private async writeAll(): Promise<void> {
    const next = this.journal.generation + 1;
    let covered = 0;
    try {
      await this.durable.save(() => {
        this.dirty = false;
        const state = this.snapshot();
        covered = this.lines.length;
        return this.encoder.encode({ ...state, journal: next });
      });
    } catch (error) {
      this.dirty = true;
      throw error;
    }
    // The lines queued before the snapshot hold records as they were then: appended to the next
    // journal, they would be replayed over the newer records in this file.
    this.lines.splice(0, covered);
    this.journalBroken = false;
    // A journal older than state.json is skipped when loading, so failing to remove one loses nothing.
    await this.journal.startedAt(next).catch(() => undefined);
  }
}
