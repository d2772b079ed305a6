import type { IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export type HeaderMap = Record<string, string | readonly string[] | undefined>;

/** `name: value\r\n` lines for every header (array values give one line each). */
export function headerLines(headers: HeaderMap, skip?: (name: string) => boolean): string {
  let lines = '';
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || skip?.(name)) continue;
    if (typeof value === 'string') lines += `${name}: ${value}\r\n`;
    else for (const item of value) lines += `${name}: ${item}\r\n`;
  }
  return lines;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** Thrown when the connection failed before any byte of the answer arrived (the request may be sent again). */
export class UnansweredError extends Error {}

type BodyMode = { kind: 'none' } | { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' };

/**
 * One keep-alive HTTP/1.1 connection to an instance with just the client it needs: it writes a
 * request in one buffer and parses status, headers and a body framed by Content-Length, chunked
 * encoding or the end of the connection. Cheaper per request than node:http's ClientRequest,
 * which matters on the invoke hot path.
 */
class Connection {
  private buffered: Buffer = Buffer.alloc(0);
  private waiting:
    | { resolve: (response: RawResponse) => void; reject: (error: Error) => void; head: boolean }
    | undefined;
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private mode: BodyMode | undefined;
  private chunks: Buffer[] = [];
  private received = false;
  private keepAlive = true;
  closed = false;
  used = false;

  constructor(
    readonly socket: Socket,
    private readonly onIdle: (connection: Connection) => void,
    private readonly onClosed: (connection: Connection) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => this.read(data));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => {
      this.closed = true;
      if (this.waiting && this.mode?.kind === 'close') this.finish();
      else this.fail(new Error('the instance closed the connection'));
      this.onClosed(this);
    });
  }

  send(head: string, body: Buffer, isHead: boolean): Promise<RawResponse> {
    this.used = true;
    this.received = false;
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject, head: isHead };
      const bytes = Buffer.allocUnsafe(head.length + body.length);
      bytes.write(head, 0, 'latin1');
      body.copy(bytes, head.length);
      this.socket.write(bytes);
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private fail(error: Error): void {
    const waiting = this.waiting;
    if (!waiting) return;
    this.waiting = undefined;
    this.socket.destroy();
    waiting.reject(this.received ? error : new UnansweredError(error.message));
  }

  private read(data: Buffer): void {
    this.received = true;
    this.buffered = this.buffered.length === 0 ? data : Buffer.concat([this.buffered, data]);
    try {
      this.parse();
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private parse(): void {
    for (;;) {
      if (!this.waiting) return;
      if (this.mode === undefined) {
        const end = this.buffered.indexOf(HEADER_END);
        if (end < 0) {
          if (this.buffered.length > 65536) throw new Error('the instance sent headers over 64 KB');
          return;
        }
        const text = this.buffered.subarray(0, end).toString('latin1');
        this.buffered = this.buffered.subarray(end + 4);
        this.head(text);
        if (this.status < 200 && this.status >= 100) {
          this.mode = undefined;
          continue;
        }
        continue;
      }
      const mode = this.mode;
      if (mode.kind === 'none') {
        this.finish();
        return;
      }
      if (mode.kind === 'length') {
        const take = Math.min(mode.left, this.buffered.length);
        if (take > 0) {
          this.chunks.push(this.buffered.subarray(0, take));
          this.buffered = this.buffered.subarray(take);
          mode.left -= take;
        }
        if (mode.left === 0) this.finish();
        return;
      }
      if (mode.kind === 'close') {
        if (this.buffered.length > 0) this.chunks.push(this.buffered);
        this.buffered = Buffer.alloc(0);
        return;
      }
      const line = this.buffered.indexOf(CRLF);
      if (line < 0) return;
      const size = Number.parseInt(this.buffered.subarray(0, line).toString('latin1').split(';')[0]!.trim(), 16);
      if (Number.isNaN(size)) throw new Error('the instance sent a bad chunk size');
      if (size === 0) {
        const trailerEnd = this.buffered.indexOf(CRLF, line + 2);
        if (trailerEnd < 0) return;
        if (trailerEnd === line + 2) {
          this.buffered = this.buffered.subarray(line + 4);
          this.finish();
          return;
        }
        const end = this.buffered.indexOf(HEADER_END, line);
        if (end < 0) return;
        this.buffered = this.buffered.subarray(end + 4);
        this.finish();
        return;
      }
      if (this.buffered.length < line + 2 + size + 2) return;
      this.chunks.push(this.buffered.subarray(line + 2, line + 2 + size));
      this.buffered = this.buffered.subarray(line + 2 + size + 2);
    }
  }

  private head(text: string): void {
    const lines = text.split('\r\n');
    const statusLine = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? '');
    if (!statusLine) throw new Error(`the instance did not answer HTTP: ${String(lines[0]).slice(0, 60)}`);
    this.status = Number(statusLine[2]);
    const headers: IncomingHttpHeaders = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'set-cookie') {
        const cookies = headers['set-cookie'];
        headers['set-cookie'] = cookies ? [...cookies, value] : [value];
        continue;
      }
      const existing = headers[name];
      headers[name] = existing === undefined ? value : `${existing}, ${value}`;
    }
    this.headers = headers;
    const connection = String(headers['connection'] ?? '').toLowerCase();
    this.keepAlive = statusLine[1] === '1' ? connection !== 'close' : connection === 'keep-alive';
    const length = headers['content-length'];
    if (this.waiting?.head || this.status === 204 || this.status === 304 || this.status < 200)
      this.mode = { kind: 'none' };
    else if (
      String(headers['transfer-encoding'] ?? '')
        .toLowerCase()
        .includes('chunked')
    )
      this.mode = { kind: 'chunked' };
    else if (length !== undefined) this.mode = { kind: 'length', left: Number(length) };
    else this.mode = { kind: 'close' };
  }

  private finish(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    this.waiting = undefined;
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const response: RawResponse = { status: this.status, headers: this.headers, body };
    const reusable = this.keepAlive && this.mode?.kind !== 'close' && this.buffered.length === 0;
    this.mode = undefined;
    this.chunks = [];
    this.headers = {};
    waiting.resolve(response);
    if (reusable && !this.closed) this.onIdle(this);
    else this.socket.destroy();
  }
}

/** Keep-alive connections to one instance's port. */
export class InstanceConnections {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();

  constructor(private readonly port: number) {}

  private open(): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: this.port });
      const onError = (error: Error) => reject(new UnansweredError(error.message));
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        const connection = new Connection(
          socket,
          (idle) => this.idle.push(idle),
          (closed) => {
            this.all.delete(closed);
            const at = this.idle.indexOf(closed);
            if (at >= 0) this.idle.splice(at, 1);
          },
        );
        this.all.add(connection);
        resolve(connection);
      });
    });
  }

  /**
   * Sends one request whose header block (`name: value\r\n` lines, without host and
   * content-length unless `hasHost`) is already written; a reused connection the instance had
   * closed is retried once on a new one.
   */
  async request(method: string, path: string, lines: string, hasHost: boolean, body: Buffer): Promise<RawResponse> {
    const host = hasHost ? '' : `host: 127.0.0.1:${this.port}\r\n`;
    const head = `${method} ${path} HTTP/1.1\r\n${host}${lines}content-length: ${body.length}\r\n\r\n`;
    const reused = this.idle.pop();
    const connection = reused ?? (await this.open());
    try {
      return await connection.send(head, body, method === 'HEAD');
    } catch (error) {
      if (!reused || !(error instanceof UnansweredError)) throw error;
      return (await this.open()).send(head, body, method === 'HEAD');
    }
  }

  destroy(): void {
    for (const connection of this.all) connection.destroy();
    this.all.clear();
    this.idle.length = 0;
  }
}
