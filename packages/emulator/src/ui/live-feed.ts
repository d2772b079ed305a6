import type { ServerResponse } from 'node:http';
import { secondWord } from '../instances/log-capture.js';

/** One finished invocation, as the dashboard's stream shows it. */
export interface InvocationEvent {
  readonly requestId: string;
  readonly action: string;
  readonly functionName: string | undefined;
  readonly sessionId: string | undefined;
  readonly instanceId: string | undefined;
  readonly status: number;
  readonly errorType: string | undefined;
  readonly durationMs: number;
  readonly endedTime: string;
  readonly logs: string[];
}

const START = /FC (?:Invoke|Initialize|PreStop) Start RequestId: ?(\S+)/;
const END = /FC (?:Invoke|Initialize|PreStop) End RequestId: ?(\S+)/;
const REQUEST_ID = /^1-[0-9a-f]+-[0-9a-f]{8}-[0-9a-f]{12}$/;
const KEPT_INVOCATIONS = 100;
const LINES_PER_REQUEST = 50;
const SWEEP_MS = 1000;
const PUSH_DELAY_MS = 20;

/**
 * Server-sent events for the dashboard: `snapshot` (functions, instances, sessions, faults; sent
 * on connect, shortly after every change the emulator's API makes, and when a once-a-second look
 * finds the state different, e.g. a session expired or an idle instance stopped), `invocation`
 * (each finished invocation with the log lines seen so far) and `log` (a later line of one).
 */
export class LiveFeed {
  private readonly clients = new Set<ServerResponse>();
  /** The last `KEPT_INVOCATIONS` invocations by request id, oldest first. */
  private readonly recent = new Map<string, InvocationEvent>();
  /** Lines per request id, until the request's invocation event is out (output can come first). */
  private readonly pendingLines = new Map<string, string[]>();
  /** The request whose markers an instance is between. */
  private readonly current = new Map<string, string>();
  private lastSnapshot = '';
  private pushTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(private readonly snapshot: () => unknown) {}

  /** Answers `GET /_emulator/events`: the current state, the recent invocations, then changes as they happen. */
  subscribe(res: ServerResponse): void {
    this.clients.add(res);
    res.socket?.setNoDelay(true);
    res.write('retry: 1000\n\n');
    this.lastSnapshot = JSON.stringify(this.snapshot());
    this.send(res, 'snapshot', this.lastSnapshot);
    for (const event of this.recent.values()) this.send(res, 'invocation', JSON.stringify(event));
    res.once('close', () => {
      this.clients.delete(res);
      if (this.clients.size === 0) this.stopSweeping();
    });
    this.sweepTimer ??= setInterval(() => this.pushIfChanged(), SWEEP_MS);
    this.sweepTimer.unref();
  }

  /** Something the API did may have changed the state: push a snapshot soon (once for a burst). */
  changed(): void {
    if (this.clients.size === 0 || this.pushTimer) return;
    this.pushTimer = setTimeout(() => {
      this.pushTimer = undefined;
      this.pushIfChanged();
    }, PUSH_DELAY_MS);
    this.pushTimer.unref();
  }

  invocation(event: Omit<InvocationEvent, 'logs'>): void {
    const logs = this.pendingLines.get(event.requestId) ?? [];
    this.pendingLines.delete(event.requestId);
    // Field by field, not `{ ...event, logs }`: a spread then one more field takes V8's slow path on every call.
    const full: InvocationEvent = {
      requestId: event.requestId,
      action: event.action,
      functionName: event.functionName,
      sessionId: event.sessionId,
      instanceId: event.instanceId,
      status: event.status,
      errorType: event.errorType,
      durationMs: event.durationMs,
      endedTime: event.endedTime,
      logs,
    };
    this.recent.set(full.requestId, full);
    if (this.recent.size > KEPT_INVOCATIONS) this.recent.delete(this.recent.keys().next().value!);
    if (this.clients.size === 0) return;
    this.broadcast('invocation', JSON.stringify(full));
    this.changed();
  }

  /** Every line an instance prints; those that belong to a request join its invocation. */
  instanceLog(line: string, instanceId: string): void {
    const marker = line.includes('FC ');
    const start = marker ? START.exec(line) : null;
    if (start) this.current.set(instanceId, start[1]!);
    const end = start || !marker ? null : END.exec(line);
    const requestId = start?.[1] ?? end?.[1] ?? this.ownerOf(line) ?? this.current.get(instanceId);
    if (end) this.current.delete(instanceId);
    if (!requestId) return;
    const done = this.recent.get(requestId);
    if (done) {
      if (done.logs.length < LINES_PER_REQUEST) done.logs.push(line);
      if (this.clients.size > 0) this.broadcast('log', JSON.stringify({ requestId, line }));
      return;
    }
    const lines = this.pendingLines.get(requestId) ?? [];
    if (lines.length < LINES_PER_REQUEST) lines.push(line);
    this.pendingLines.set(requestId, lines);
    if (this.pendingLines.size > KEPT_INVOCATIONS) this.pendingLines.delete(this.pendingLines.keys().next().value!);
  }

  close(): void {
    clearTimeout(this.pushTimer);
    this.stopSweeping();
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  /** `<time> <requestId> [LEVEL] ...`, what the Node.js host prints. */
  private ownerOf(line: string): string | undefined {
    const second = secondWord(line);
    return second && REQUEST_ID.test(second) ? second : undefined;
  }

  private pushIfChanged(): void {
    if (this.clients.size === 0) return;
    const text = JSON.stringify(this.snapshot());
    if (text === this.lastSnapshot) return;
    this.lastSnapshot = text;
    this.broadcast('snapshot', text);
  }

  private stopSweeping(): void {
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  private broadcast(type: string, data: string): void {
    for (const res of this.clients) this.send(res, type, data);
  }

  private send(res: ServerResponse, type: string, data: string): void {
    res.write(`event: ${type}\ndata: ${data}\n\n`);
  }
}
