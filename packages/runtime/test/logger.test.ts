import { fc3Headers, REQUEST_ID } from '@fc-sessions/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, type LogLevel, logger, readRequest, runWithRequest } from '../src/index.js';

function capture(level?: LogLevel) {
  const lines: Array<[string, LogLevel]> = [];
  const log = createLogger({ level, write: (line, at) => lines.push([line, at]) });
  return { log, lines };
}

const linePattern = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (\S+) \[(DEBUG|INFO|WARN|ERROR)\] (.*)$/s;

describe('createLogger', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("writes FC's line format with the current request id", () => {
    vi.useFakeTimers({ now: new Date('2024-11-26T15:22:09.123Z') });
    const { log, lines } = capture();
    runWithRequest(readRequest(fc3Headers, { env: {} }), () => log.info('cart has %d items', 3, { sku: 'a-1' }));
    expect(lines).toEqual([[`2024-11-26T15:22:09.123Z ${REQUEST_ID} [INFO] cart has 3 items { sku: 'a-1' }`, 'info']]);
  });

  it('writes "-" for the request id outside a request', () => {
    const { log, lines } = capture();
    log.warn('starting');
    expect(lines[0]?.[0]).toMatch(linePattern);
    expect(linePattern.exec(lines[0]![0])?.slice(1)).toEqual(['-', 'WARN', 'starting']);
  });

  it('drops levels below its own', () => {
    const { log, lines } = capture('warn');
    log.debug('a');
    log.info('b');
    log.warn('c');
    log.error('d');
    expect(lines.map(([line]) => linePattern.exec(line)?.[2])).toEqual(['WARN', 'ERROR']);
  });

  it('never prints credentials, even when handed the whole request', () => {
    const { log, lines } = capture();
    const request = readRequest(fc3Headers, { env: {} });
    log.error(request, String(request.invocation.credentials));
    expect(lines[0]?.[0]).not.toContain(fc3Headers['x-fc-access-key-secret']);
    expect(lines[0]?.[0]).not.toContain(fc3Headers['x-fc-security-token']);
  });

  it('rejects an unknown level', () => {
    expect(() => createLogger({ level: 'trace' as LogLevel })).toThrow(
      'createLogger: level must be one of debug, info, warn, error (got trace)',
    );
  });

  it('sends info to stdout and errors to stderr by default', () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    logger.info('to stdout');
    logger.error('to stderr');
    expect(String(out.mock.calls[0]?.[0])).toMatch(/\[INFO\] to stdout\n$/);
    expect(String(err.mock.calls[0]?.[0])).toMatch(/\[ERROR\] to stderr\n$/);
  });
});
