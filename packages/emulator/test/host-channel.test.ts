import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { HostChannel } from '../src/instances/host-channel.js';

/** The emulator's end of a pipe: what the channel writes is kept, `push` plays the host's side. */
function pipe() {
  const written: Buffer[] = [];
  const end = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk);
      done();
    },
  });
  return { end, written };
}

/** `u32 length | u32 id | u32 status | u32 head length | header lines | body`, as the host writes an answer. */
function answerFrame(id: number, status: number, lines: string, body: Buffer): Buffer {
  const frame = Buffer.alloc(16 + lines.length + body.length);
  frame.writeUInt32LE(frame.length - 4, 0);
  frame.writeUInt32LE(id, 4);
  frame.writeUInt32LE(status, 8);
  frame.writeUInt32LE(lines.length, 12);
  frame.write(lines, 16, 'latin1');
  body.copy(frame, 16 + lines.length);
  return frame;
}

function outputFrame(text: string): Buffer {
  const frame = Buffer.alloc(8 + text.length);
  frame.writeUInt32LE(frame.length - 4, 0);
  frame.write(text, 8, 'latin1');
  return frame;
}

/** The id the channel gave the `index`th request it wrote. */
const idOf = (written: Buffer[], index: number) => written[index]!.readUInt32LE(4);

describe('HostChannel (the framed pipe to the Node.js host)', () => {
  it('writes a request as one frame: id, head length, method, path and header lines, body', () => {
    const { end, written } = pipe();
    const channel = new HostChannel(end, () => undefined);
    channel.request('POST', '/invoke', 'x-fc-request-id: r1\r\n', Buffer.from('hello')).catch(() => undefined);
    const frame = written[0]!;
    const head = 'POST /invoke\r\nx-fc-request-id: r1\r\n';
    expect(frame.readUInt32LE(0)).toBe(frame.length - 4);
    expect(frame.readUInt32LE(8)).toBe(head.length);
    expect(frame.toString('latin1', 12, 12 + head.length)).toBe(head);
    expect(frame.subarray(12 + head.length).toString()).toBe('hello');
    channel.destroy();
  });

  it('reads answers and output cut at any byte, a large body in pipe-sized reads, and answers out of order', async () => {
    const { end, written } = pipe();
    const output: string[] = [];
    const channel = new HostChannel(end, (bytes) => output.push(bytes.toString()));
    const first = channel.request('POST', '/invoke', '', Buffer.alloc(0));
    const second = channel.request('POST', '/invoke', '', Buffer.alloc(0));
    const large = Buffer.alloc(4 * 1024 * 1024 + 3, 7);
    const stream = Buffer.concat([
      outputFrame('FC Invoke Start RequestId: r2\n'),
      answerFrame(idOf(written, 1), 200, 'content-type: text/plain\r\nx-fc-status: 200\r\n', Buffer.from('two')),
      answerFrame(idOf(written, 0), 404, '', large),
    ]);
    for (let at = 0; at < 64; at++) end.push(stream.subarray(at, at + 1));
    for (let at = 64; at < stream.length; at += 65536) end.push(stream.subarray(at, at + 65536));
    const [one, two] = await Promise.all([first, second]);
    expect(two.status).toBe(200);
    expect(two.headers).toEqual({ 'content-type': 'text/plain', 'x-fc-status': '200' });
    expect(two.body.toString()).toBe('two');
    expect(one.status).toBe(404);
    expect(one.headers).toEqual({});
    expect(one.body.equals(large)).toBe(true);
    expect(output).toEqual(['FC Invoke Start RequestId: r2\n']);
    channel.destroy();
  });

  it('fails the requests in flight when the pipe closes, and those sent after it', async () => {
    const { end } = pipe();
    const channel = new HostChannel(end, () => undefined);
    const waiting = channel.request('POST', '/invoke', '', Buffer.alloc(0));
    end.push(answerFrame(1, 200, '', Buffer.alloc(0)).subarray(0, 10));
    end.destroy();
    await expect(waiting).rejects.toThrow(/closed its channel/);
    await expect(channel.request('POST', '/invoke', '', Buffer.alloc(0))).rejects.toThrow(/closed its channel/);
  });
});
