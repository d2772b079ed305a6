import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RawResponse } from './instance-connection.js';

interface Pending {
  readonly resolve: (response: RawResponse) => void;
  readonly reject: (error: Error) => void;
}

/** `name: value\r\n` lines (lower-case names, as the host writes them) as a header record. */
function parseLines(text: string): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf('\r\n', at);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', at);
    if (colon > at && colon < end) headers[text.slice(at, colon)] = text.slice(colon + 1, end).trim();
    at = end + 2;
  }
  return headers;
}

/**
 * Requests to the Node.js host over a pipe of its own (an extra stdio descriptor) instead of HTTP,
 * the way FC drives its built-in runtimes through its own protocol. Frames, lengths little-endian
 * and counting what follows them: a request is `u32 length | u32 id | u32 head length | head |
 * body` with the head `METHOD path\r\n` plus header lines; an answer is `u32 length | u32 id |
 * u32 status | u32 head length | header lines | body`; what the host's code prints comes as
 * `u32 length | u32 0 | bytes`, in order with the answers (see host/nodejs-host.cjs). Any number
 * of requests are in flight at once, answered in any order.
 */
export class HostChannel {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /**
   * What has arrived of the frames not read yet, joined only once a whole frame is in: joining at
   * every read copied a large answer once per 64 KiB the pipe delivered.
   */
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  /** Bytes needed before the next frame can be read: its length prefix, then the whole frame. */
  private needed = 4;
  private closed = false;

  constructor(
    private readonly pipe: Duplex,
    private readonly onOutput: (bytes: Buffer) => void,
  ) {
    pipe.on('data', (data: Buffer) => this.read(data));
    pipe.on('error', (error) => this.fail(error));
    pipe.on('close', () => this.fail(new Error('the instance closed its channel')));
  }

  request(method: string, path: string, lines: string, body: Buffer): Promise<RawResponse> {
    if (this.closed) return Promise.reject(new Error('the instance closed its channel'));
    const id = this.nextId;
    this.nextId = id === 0xffffffff ? 1 : id + 1;
    const head = `${method} ${path}\r\n${lines}`;
    const frame = Buffer.allocUnsafe(12 + head.length + body.length);
    frame.writeUInt32LE(frame.length - 4, 0);
    frame.writeUInt32LE(id, 4);
    frame.writeUInt32LE(head.length, 8);
    frame.write(head, 12, 'latin1');
    body.copy(frame, 12 + head.length);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.pipe.write(frame);
    });
  }

  /** Fails every request in flight, as closing the connections to an HTTP instance does. */
  destroy(): void {
    this.fail(new Error('the channel to the instance was closed'));
  }

  private fail(error: Error): void {
    if (!this.closed) {
      this.closed = true;
      this.pipe.destroy();
    }
    const unanswered = [...this.pending.values()];
    this.pending.clear();
    for (const waiting of unanswered) waiting.reject(error);
  }

  private read(data: Buffer): void {
    this.chunks.push(data);
    this.bufferedBytes += data.length;
    if (this.bufferedBytes < this.needed) return;
    let buffered = this.chunks.length === 1 ? data : Buffer.concat(this.chunks, this.bufferedBytes);
    this.needed = 4;
    while (buffered.length >= 4) {
      const size = buffered.readUInt32LE(0);
      if (buffered.length < 4 + size) {
        this.needed = 4 + size;
        break;
      }
      const frame = buffered.subarray(4, 4 + size);
      buffered = buffered.subarray(4 + size);
      const id = frame.readUInt32LE(0);
      if (id === 0) {
        this.onOutput(frame.subarray(4));
        continue;
      }
      const headEnd = 12 + frame.readUInt32LE(8);
      const waiting = this.pending.get(id);
      if (!waiting) continue;
      this.pending.delete(id);
      waiting.resolve({
        status: frame.readUInt32LE(4),
        headers: parseLines(frame.toString('latin1', 12, headEnd)),
        body: frame.subarray(headEnd),
      });
    }
    this.chunks = buffered.length === 0 ? [] : [buffered];
    this.bufferedBytes = buffered.length;
  }
}
