import { describe, expect, it } from 'vitest';
import { isKeepAlive, KEEP_ALIVE_EVENT, KEEP_ALIVE_HEADER } from '../src/index.js';

describe('isKeepAlive', () => {
  it('recognises the marker event as text and as bytes', () => {
    expect(isKeepAlive(KEEP_ALIVE_EVENT)).toBe(true);
    expect(isKeepAlive(` ${KEEP_ALIVE_EVENT}\n`)).toBe(true);
    expect(isKeepAlive(Buffer.from(KEEP_ALIVE_EVENT))).toBe(true);
    expect(isKeepAlive(new TextEncoder().encode(KEEP_ALIVE_EVENT))).toBe(true);
  });

  it('recognises the marker header on a Fetch request, a Node-style record and Headers', () => {
    expect(isKeepAlive(new Request('http://x/invoke', { method: 'POST', headers: { [KEEP_ALIVE_HEADER]: '1' } }))).toBe(
      true,
    );
    expect(isKeepAlive({ headers: { 'X-FCS-Keep-Alive': '1' } })).toBe(true);
    expect(isKeepAlive(new Headers({ [KEEP_ALIVE_HEADER]: '1' }))).toBe(true);
  });

  it('recognises a body read beside headers that do not carry the marker', () => {
    expect(isKeepAlive({ 'content-type': 'application/json' }, KEEP_ALIVE_EVENT)).toBe(true);
  });

  it('is false for anything else', () => {
    expect(isKeepAlive('hello')).toBe(false);
    expect(isKeepAlive('{"fcsKeepAlive":false}')).toBe(false);
    expect(isKeepAlive(Buffer.from('{"fcsKeepAlive":true,"x":1}'))).toBe(false);
    expect(isKeepAlive({ 'x-session-id': 's1' }, 'hi')).toBe(false);
    expect(isKeepAlive(undefined)).toBe(false);
    expect(isKeepAlive(null)).toBe(false);
  });
});
