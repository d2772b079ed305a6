import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { newInstanceId, newRequestId } from '../ids.js';
import { INSTANCE_SECRET_HEADER, instanceEnvironment, instanceHeaders, mapCodePath } from './environment.js';
import { HostChannel } from './host-channel.js';
import { type HeaderMap, headerLines, InstanceConnections } from './instance-connection.js';
import { LogCapture } from './log-capture.js';
import { freePort, waitForPort } from './port.js';
import { type InstanceHost, type InstanceSpec, isNodejs } from './spec.js';

const NODE_HOST = fileURLToPath(new URL('../../host/nodejs-host.cjs', import.meta.url));

export type FailureKind = 'start' | 'initialize' | 'timeout' | 'crash' | 'stopped';

/** Why an instance could not answer; `body` and `errorType` carry the function's own error when it sent one. */
export class InstanceFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly body?: Buffer,
  ) {
    super(message);
    this.name = 'InstanceFailure';
  }
}

export interface InstanceRequest {
  readonly method: string;
  readonly path: string;
  /** The caller's headers to pass on; signing, hop-by-hop and `x-fc-*` ones are left out. */
  readonly forward?: HeaderMap | undefined;
  /** Pass the caller's `host` too (web requests); otherwise the instance sees its own address. */
  readonly forwardHost?: boolean;
  /** Headers of this request (such as `x-fc-request-id`); FC's per-function `x-fc-*` headers are added. */
  readonly headers: HeaderMap;
  readonly body: Buffer;
  readonly timeoutMs: number;
}

/** Caller headers that never reach an instance (signing, hop-by-hop, and FC's own `x-fc-*`). */
const DROPPED = new Set([
  'authorization',
  'connection',
  'content-length',
  'content-md5',
  'date',
  'expect',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
]);
const notForwarded = (name: string) =>
  DROPPED.has(name) || name.startsWith('x-fc-') || name.startsWith('x-acs-') || name === INSTANCE_SECRET_HEADER;
const notForwardedNorHost = (name: string) => name === 'host' || notForwarded(name);

export interface InstanceResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export type InstanceState = 'starting' | 'ready' | 'draining' | 'stopping' | 'stopped';

let deathSignalPrefix: readonly string[] | undefined;

/**
 * `setpriv --pdeathsig KILL --` (util-linux, Linux) where it works: the kernel kills a custom
 * runtime when the emulator dies, also by `kill -9`, which no exit hook sees. Node.js instances
 * need none: the host exits when the emulator's end of its stdin closes.
 */
function deathSignal(): readonly string[] {
  deathSignalPrefix ??=
    process.platform === 'linux' &&
    spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true'], { stdio: 'ignore' }).status === 0
      ? ['setpriv', '--pdeathsig', 'KILL', '--']
      : [];
  return deathSignalPrefix;
}

const liveProcessGroups = new Set<number>();
let exitHookInstalled = false;

/** Kills what is left when the emulator's own process exits without a clean stop. */
function trackProcessGroup(pid: number): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const group of liveProcessGroups) killGroup(group, 'SIGKILL');
    });
  }
  liveProcessGroups.add(pid);
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * One instance: a child process (in its own process group) serving FC's custom-runtime protocol on
 * a private port, the way requests reach it (keep-alive connections to that port, or for the
 * Node.js host the framed pipe of `HostChannel`), a request slot counter (`instanceConcurrency`),
 * the sessions bound to it and the capture of its output.
 */
export class Instance {
  readonly id = newInstanceId();
  /** Sent on every request as `x-fcs-instance-secret`: the instance refuses requests without it. */
  readonly secret = randomBytes(16).toString('hex');
  readonly startedMs = Date.now();
  /** Requests that finished on this instance. */
  served = 0;
  state: InstanceState = 'starting';
  port = 0;
  pid: number | undefined;
  readonly sessions = new Set<string>();
  /** Sessions promised to this instance while it starts. */
  reservedSessions = 0;
  active = 0;
  lastUsedMs = Date.now();
  maxRssBytes = 0;
  readonly logs: LogCapture;
  /** FC's per-function `x-fc-*` headers, written once as header lines (with the secret for HTTP). */
  private readonly staticLines: string;
  readonly ready: Promise<void>;
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  onExit: ((instance: Instance) => void) | undefined;

  private child: ChildProcess | undefined;
  private connections: InstanceConnections | undefined;
  private channel: HostChannel | undefined;
  private readonly waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private readonly exited: Promise<void>;
  private markExited!: () => void;
  private stopping: Promise<void> | undefined;
  private stopRequested = false;
  /** Why the instance never became ready; requests that waited for it get this error. */
  private startFailure: InstanceFailure | undefined;
  private spawning: Promise<void> | undefined;
  private memoryTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly spec: InstanceSpec,
    private readonly host: InstanceHost,
  ) {
    this.staticLines = isNodejs(spec.runtime)
      ? headerLines(instanceHeaders(spec, host))
      : headerLines({ ...instanceHeaders(spec, host), [INSTANCE_SECRET_HEADER]: this.secret });
    const sink = host.onLog;
    const source = { functionName: spec.functionName, instanceId: this.id };
    this.logs = new LogCapture(sink ? (line) => sink(line, source) : undefined);
    this.exited = new Promise((resolve) => {
      this.markExited = resolve;
    });
    this.ready = this.start().catch((error: unknown) => {
      this.startFailure ??= error instanceof InstanceFailure ? error : new InstanceFailure('start', String(error));
      for (const waiter of this.waiters.splice(0)) waiter.reject(this.startFailure);
      throw this.startFailure;
    });
    this.ready.catch(() => undefined);
  }

  get limit(): number {
    return this.spec.instanceConcurrency;
  }

  get queued(): number {
    return this.waiters.length;
  }

  get alive(): boolean {
    return this.state === 'starting' || this.state === 'ready' || this.state === 'draining';
  }

  private async start(): Promise<void> {
    this.port = await freePort();
    if (this.stopRequested) throw new InstanceFailure('stopped', 'the instance was stopped');
    const { spec } = this;
    const nodejs = isNodejs(spec.runtime);
    if (!nodejs) this.connections = new InstanceConnections(this.port);
    const env = instanceEnvironment(spec, this.host, this.id, this.port, this.secret);
    const [command, ...args] = nodejs
      ? [
          process.execPath,
          NODE_HOST,
          '--channel',
          '3',
          ...(spec.initializer ? ['--initializer', spec.initializer.handler] : []),
          ...(spec.preStop ? ['--pre-stop', spec.preStop.handler] : []),
        ]
      : [
          ...deathSignal(),
          ...[...(spec.command?.length ? spec.command : ['./bootstrap']), ...(spec.args ?? [])].map((part) =>
            mapCodePath(part, spec.codeDir),
          ),
        ];
    const child = spawn(command!, args, {
      cwd: spec.codeDir,
      env,
      detached: true,
      stdio: nodejs ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    if (nodejs) {
      const pipe = child.stdio[3] as Duplex;
      const output = this.logs.stream();
      this.channel = new HostChannel(pipe, (bytes) => output.write(bytes));
      pipe.once('close', () => output.end());
    }
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', () => {
        this.pid = child.pid;
        if (this.pid !== undefined) trackProcessGroup(this.pid);
        resolve();
      });
      child.once('error', reject);
    });
    this.spawning = spawned.catch(() => undefined);
    // Each pipe its own lines: a line cut between two reads of one is not joined with the other's.
    for (const pipe of [child.stdout, child.stderr]) {
      const output = this.logs.stream();
      pipe?.on('data', (chunk: Buffer) => output.write(chunk));
      pipe?.once('close', () => output.end());
    }
    child.stdin?.on('error', () => undefined);
    child.once('exit', (code, signal) => {
      const starting = this.state === 'starting';
      this.exit = { code, signal };
      this.state = 'stopped';
      if (this.pid !== undefined) liveProcessGroups.delete(this.pid);
      if (this.memoryTimer) clearInterval(this.memoryTimer);
      this.connections?.destroy();
      this.channel?.destroy();
      if (!starting) for (const waiter of this.waiters.splice(0)) waiter.reject(this.crashError());
      this.markExited();
      this.onExit?.(this);
    });

    try {
      await spawned;
    } catch (error) {
      this.state = 'stopped';
      this.markExited();
      throw new InstanceFailure('start', `could not start ${command}: ${(error as Error).message}`);
    }
    try {
      await waitForPort(this.port, Date.now() + this.host.startTimeoutMs, () => this.exit === undefined && this.alive);
    } catch (error) {
      await this.failStart(
        this.stopRequested
          ? new InstanceFailure('stopped', 'the instance was stopped')
          : new InstanceFailure(
              'start',
              `the instance did not start listening: ${(error as Error).message}${this.recentOutput()}`,
            ),
      );
    }
    this.sampleMemory();
    this.memoryTimer = setInterval(() => this.sampleMemory(), 1000);
    this.memoryTimer.unref();
    if (spec.initializer) await this.initialize(spec.initializer.timeoutSeconds);
    if (this.state === 'starting') this.state = 'ready';
  }

  private async initialize(timeoutSeconds: number): Promise<void> {
    const requestId = newRequestId();
    let response: InstanceResponse;
    try {
      response = await this.call({
        method: 'POST',
        path: '/initialize',
        headers: {
          'x-fc-request-id': requestId,
          'x-fc-control-path': '/initialize',
          'x-fc-function-initializer': this.spec.initializer?.handler ?? '',
          'x-fc-initialization-timeout': String(timeoutSeconds),
        },
        body: Buffer.alloc(0),
        timeoutMs: timeoutSeconds * 1000,
      });
    } catch (error) {
      const reason =
        error instanceof InstanceFailure && error.kind === 'timeout'
          ? `timed out after ${timeoutSeconds} seconds`
          : (error as Error).message;
      return this.failStart(new InstanceFailure('initialize', `the initializer failed: ${reason}`));
    }
    if (response.status >= 300 || response.headers['x-fc-status'] === '404') {
      await this.failStart(
        new InstanceFailure('initialize', `the initializer failed (status ${response.status})`, response.body),
      );
    }
  }

  /** Remembers why the start failed (requests waiting for the instance get that error), then stops it. */
  private async failStart(failure: InstanceFailure): Promise<never> {
    this.startFailure = failure;
    await this.stop(false);
    throw failure;
  }

  private sampleMemory(): void {
    if (this.pid === undefined || process.platform !== 'linux') return;
    readFile(`/proc/${this.pid}/statm`, 'utf8').then(
      (text) => {
        const rss = Number(text.split(' ')[1]) * 4096;
        if (rss > this.maxRssBytes) this.maxRssBytes = rss;
      },
      () => undefined,
    );
  }

  /** Takes a request slot, waiting in line when all `instanceConcurrency` slots are busy. */
  acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    if (!this.alive) return Promise.reject(this.crashError());
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  tryAcquire(): boolean {
    if (this.active >= this.limit) return false;
    this.active++;
    return true;
  }

  release(): void {
    this.lastUsedMs = Date.now();
    this.served++;
    const next = this.waiters.shift();
    if (next) next.resolve();
    else this.active--;
  }

  /**
   * Sends one request to the instance and reads the whole answer. The Node.js host reads only FC's
   * headers, so the caller's are not passed to it.
   */
  call(request: InstanceRequest): Promise<InstanceResponse> {
    const { connections, channel } = this;
    const sent = channel
      ? channel.request(request.method, request.path, this.staticLines + headerLines(request.headers), request.body)
      : connections?.request(
          request.method,
          request.path,
          this.forwardedLines(request) + this.staticLines + headerLines(request.headers),
          request.forwardHost === true && request.forward?.['host'] !== undefined,
          request.body,
        );
    if (!sent) return Promise.reject(new InstanceFailure('stopped', 'the instance has not started'));
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        connections?.destroy();
        channel?.destroy();
        reject(new InstanceFailure('timeout', `no answer within ${request.timeoutMs} ms`));
      }, request.timeoutMs);
      sent.then(
        (response) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(response);
        },
        (error: Error) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          this.failureFor(error).then(reject);
        },
      );
    });
  }

  private forwardedLines({ forward, forwardHost = false }: InstanceRequest): string {
    return forward ? headerLines(forward, forwardHost ? notForwarded : notForwardedNorHost) : '';
  }

  /** A connection error usually means the process died: wait briefly for its exit to say so. */
  private async failureFor(error: Error): Promise<InstanceFailure> {
    if (this.stopRequested) return new InstanceFailure('stopped', 'the instance was stopped');
    await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, 200))]);
    if (this.exit) return this.crashError();
    return new InstanceFailure('crash', `the connection to the instance failed: ${error.message}`);
  }

  private crashError(): InstanceFailure {
    if (this.startFailure) return this.startFailure;
    if (this.stopRequested || this.exit === undefined) {
      return new InstanceFailure('stopped', 'the instance was stopped');
    }
    const how = this.exit?.signal ? `signal ${this.exit.signal}` : `code ${this.exit?.code ?? 'unknown'}`;
    return new InstanceFailure('crash', `the instance process exited unexpectedly (${how})${this.recentOutput()}`);
  }

  recentOutput(): string {
    const lines = this.logs.recent.slice(-5);
    return lines.length ? `; last output: ${lines.join(' | ').slice(0, 600)}` : '';
  }

  /** Waits (at most `ms`) until the process's stdout and stderr have closed, so its last lines are read. */
  private outputDrained(ms: number): Promise<void> {
    const child = this.child;
    if (!child || (child.stdout?.destroyed !== false && child.stderr?.destroyed !== false)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      child.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Runs the pre-stop hook (when asked and configured), then ends the process group: TERM, then KILL. */
  stop(runPreStop = true): Promise<void> {
    this.stopping ??= this.shutdown(runPreStop);
    return this.stopping;
  }

  private async shutdown(runPreStop: boolean): Promise<void> {
    this.stopRequested = true;
    const wasReady = this.state === 'ready' || this.state === 'draining';
    if (this.exit === undefined && this.child) {
      if (runPreStop && wasReady && this.spec.preStop) {
        const { timeoutSeconds } = this.spec.preStop;
        await this.call({
          method: 'GET',
          path: '/pre-stop',
          headers: { 'x-fc-request-id': newRequestId(), 'x-fc-control-path': '/pre-stop' },
          body: Buffer.alloc(0),
          timeoutMs: timeoutSeconds * 1000,
        }).catch(() => undefined);
      }
    }
    this.state = 'stopping';
    await this.spawning;
    if (this.exit === undefined && this.pid !== undefined) {
      killGroup(this.pid, 'SIGTERM');
      const killer = setTimeout(() => this.pid !== undefined && killGroup(this.pid, 'SIGKILL'), this.host.stopGraceMs);
      await this.exited;
      clearTimeout(killer);
    }
    await this.outputDrained(500);
    this.state = 'stopped';
    this.connections?.destroy();
    this.channel?.destroy();
    if (this.memoryTimer) clearInterval(this.memoryTimer);
    const reason = this.startFailure ?? new InstanceFailure('stopped', 'the instance was stopped');
    for (const waiter of this.waiters.splice(0)) waiter.reject(reason);
  }
}
