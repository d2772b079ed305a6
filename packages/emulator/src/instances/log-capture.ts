const START = /FC (?:Invoke|Initialize|PreStop) Start RequestId: ?(\S+)/;
const END = /FC (?:Invoke|Initialize|PreStop) End RequestId: ?(\S+)/;
const TAIL_BYTES = 4096;

/** The second space-separated word of a line (`line.split(' ', 2)[1]`), without splitting it. */
export function secondWord(line: string): string | undefined {
  const first = line.indexOf(' ');
  if (first < 0) return undefined;
  const next = line.indexOf(' ', first + 1);
  return next < 0 ? line.slice(first + 1) : line.slice(first + 1, next);
}

/** The output one request produced, trimmed to what `x-fc-log-result` can carry. */
export class RequestLog {
  private text = '';
  started = false;
  ended = false;
  private onEnd: (() => void) | undefined;

  constructor(readonly requestId: string) {}

  push(line: string): void {
    this.text += `${line}\n`;
    if (this.text.length > TAIL_BYTES * 4) this.text = this.text.slice(-TAIL_BYTES * 2);
  }

  end(): void {
    this.ended = true;
    this.onEnd?.();
  }

  /** Waits (at most `ms`) for the request's End marker; output can arrive after the answer. */
  settle(ms: number): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.onEnd = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** The last 4 KB of the log, base64-encoded. */
  tail(): string {
    const bytes = Buffer.from(this.text, 'utf8');
    return bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES)).toString('base64');
  }
}

/** One source of an instance's output, split into lines on its own. */
export interface LogStream {
  write(chunk: Buffer | string): void;
  /** The source ended: its last line, if it had no newline, is a line too. */
  end(): void;
}

/**
 * Splits an instance's output into lines and hands each line to the requests it belongs to:
 * lines between `FC Invoke Start/End RequestId: <id>` markers, or naming a request id as their
 * second word (FC's `<time> <requestId> [LEVEL] message`), go to that request; other lines go to
 * every request in flight on the instance that printed no markers. Each source of output (the
 * process's stdout, its stderr, the Node.js host's output frames) writes through a `stream()` of
 * its own: a line one pipe delivers in two reads stays one line when another pipe's output is read
 * in between.
 */
export class LogCapture {
  private readonly pending = new Map<string, RequestLog>();
  private readonly open = new Set<RequestLog>();
  readonly recent: string[] = [];
  /**
   * Whether this instance prints FC's log markers. Assumed until a Tail request ends without one
   * (then Tail stops waiting for markers that never come).
   */
  printsMarkers = true;

  constructor(private readonly sink: ((line: string) => void) | undefined) {}

  track(requestId: string): RequestLog {
    const log = new RequestLog(requestId);
    this.pending.set(requestId, log);
    return log;
  }

  untrack(log: RequestLog): void {
    this.pending.delete(log.requestId);
    this.open.delete(log);
  }

  /** A writer for one source of output, with its own partial last line. */
  stream(): LogStream {
    let partial = '';
    return {
      write: (chunk) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        if (partial.length > 65536) {
          lines.push(partial);
          partial = '';
        }
        for (const line of lines) this.line(line.endsWith('\r') ? line.slice(0, -1) : line);
      },
      end: () => {
        if (partial) this.line(partial);
        partial = '';
      },
    };
  }

  private line(line: string): void {
    this.sink?.(line);
    this.recent.push(line);
    if (this.recent.length > 20) this.recent.shift();
    if (this.pending.size === 0) return;

    const marker = line.includes('FC ');
    const start = marker ? START.exec(line) : null;
    if (start) {
      const log = this.pending.get(start[1]!);
      this.printsMarkers = true;
      if (log) {
        log.started = true;
        this.open.add(log);
        log.push(line);
        return;
      }
    }
    const end = marker ? END.exec(line) : null;
    if (end) {
      const log = this.pending.get(end[1]!);
      if (log) {
        log.push(line);
        this.open.delete(log);
        log.end();
        return;
      }
    }
    const second = secondWord(line);
    const owner = second ? this.pending.get(second) : undefined;
    if (owner) {
      owner.push(line);
      return;
    }
    if (this.open.size > 0) {
      for (const log of this.open) log.push(line);
      return;
    }
    for (const log of this.pending.values()) if (!log.started) log.push(line);
  }
}
