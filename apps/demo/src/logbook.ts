/** A line an instance printed, with the function and instance it came from. */
export interface InstanceLine {
  readonly functionName: string;
  readonly instanceId: string;
  readonly line: string;
}

interface Waiter {
  readonly match: (line: InstanceLine) => boolean;
  readonly resolve: (line: InstanceLine) => void;
}

/** Keeps what the emulator's instances print, so the flow can wait for a line instead of sleeping. */
export class Logbook {
  readonly #lines: InstanceLine[] = [];
  #waiters: Waiter[] = [];

  readonly add = (line: string, source: { functionName: string; instanceId: string }): void => {
    const entry = { ...source, line };
    this.#lines.push(entry);
    const matched = this.#waiters.filter((waiter) => waiter.match(entry));
    this.#waiters = this.#waiters.filter((waiter) => !matched.includes(waiter));
    for (const waiter of matched) waiter.resolve(entry);
  };

  /** The first line (already printed or still to come) that `match` accepts; rejects after `timeoutMs`. */
  waitFor(match: (line: InstanceLine) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<InstanceLine> {
    const seen = this.#lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const finish = (error: Error | undefined, line?: InstanceLine) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#waiters = this.#waiters.filter((waiter) => waiter !== entry);
        if (error) reject(error);
        else resolve(line!);
      };
      const onAbort = () => finish(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      const timer = setTimeout(() => finish(new Error(`no such instance log line within ${timeoutMs} ms`)), timeoutMs);
      const entry: Waiter = { match, resolve: (line) => finish(undefined, line) };
      this.#waiters.push(entry);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
