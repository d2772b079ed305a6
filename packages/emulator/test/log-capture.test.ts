import { describe, expect, it } from 'vitest';
import { LogCapture } from '../src/instances/log-capture.js';

describe('LogCapture', () => {
  it('keeps each stream its own partial line when streams interleave', () => {
    const lines: string[] = [];
    const logs = new LogCapture((line) => lines.push(line));
    const stdout = logs.stream();
    const stderr = logs.stream();
    stdout.write('out one, ');
    stderr.write(Buffer.from('err one, '));
    stdout.write('cut\r\nout two, ');
    stderr.write('cut\nerr two\n');
    stdout.write('cut again\n');
    stderr.write('err without newline');
    stdout.write('out without newline');
    expect(lines).toEqual(['out one, cut', 'err one, cut', 'err two', 'out two, cut again']);
    stderr.end();
    expect(lines.at(-1)).toBe('err without newline');
    stdout.end();
    stdout.end();
    expect(lines.slice(4)).toEqual(['err without newline', 'out without newline']);
  });

  it('gives a request the lines its streams print between its markers, whole', () => {
    const logs = new LogCapture(undefined);
    const log = logs.track('r1');
    const channel = logs.stream();
    const stdout = logs.stream();
    channel.write('FC Invoke Start RequestId: r1\n2026-01-01T00:00:00Z r1 [INFO] hel');
    stdout.write('written to fd 1 ');
    channel.write('lo\nFC Invoke End RequestId: r1\n');
    stdout.write('directly\n');
    expect(log.ended).toBe(true);
    expect(Buffer.from(log.tail(), 'base64').toString()).toBe(
      'FC Invoke Start RequestId: r1\n2026-01-01T00:00:00Z r1 [INFO] hello\nFC Invoke End RequestId: r1\n',
    );
    expect(logs.recent.at(-1)).toBe('written to fd 1 directly');
  });
});
