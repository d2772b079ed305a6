import { fc3Headers, SESSION } from '@fc-sessions/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MCP_SESSION_HEADER, readSession, SESSION_COOKIE, SESSION_HEADER_ENV } from '../src/index.js';

const noEnv = {};

describe('readSession', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('reads the affinity header named by the option', () => {
    const headers = { ...fc3Headers, [SESSION.header]: SESSION.id };
    expect(readSession(headers, { header: 'X-Session-Id', env: noEnv })).toEqual({
      id: SESSION.id,
      source: 'header',
      header: 'x-session-id',
    });
  });

  it(`reads the affinity header named by ${SESSION_HEADER_ENV} when no option is given`, () => {
    const headers = { ...fc3Headers, 'x-tenant-session': 'tenant-7' };
    expect(readSession(headers, { env: { [SESSION_HEADER_ENV]: 'x-tenant-session' } })?.id).toBe('tenant-7');
    vi.stubEnv(SESSION_HEADER_ENV, 'x-tenant-session');
    expect(readSession(headers)?.id).toBe('tenant-7');
  });

  it(`reads the ${SESSION_COOKIE} cookie among others`, () => {
    const headers = { ...fc3Headers, cookie: `theme=dark; ${SESSION_COOKIE}=${SESSION.id}; lang=en` };
    expect(readSession(headers, { env: noEnv })).toEqual({ id: SESSION.id, source: 'cookie', header: 'cookie' });
    expect(readSession({ cookie: `${SESSION_COOKIE}="${SESSION.id}"` }, { env: noEnv })?.id).toBe(SESSION.id);
    expect(readSession({ cookie: ['a=1', `${SESSION_COOKIE}=${SESSION.id}`] }, { env: noEnv })?.id).toBe(SESSION.id);
  });

  it('reads Mcp-Session-Id', () => {
    const request = new Request('http://127.0.0.1/mcp', { headers: { 'Mcp-Session-Id': 'mcp-1a2b' } });
    expect(readSession(request, { env: noEnv })).toEqual({ id: 'mcp-1a2b', source: 'mcp', header: MCP_SESSION_HEADER });
  });

  it('prefers the affinity header, then the cookie, then Mcp-Session-Id', () => {
    const all = {
      'x-session-id': 'from-header',
      cookie: `${SESSION_COOKIE}=from-cookie`,
      'mcp-session-id': 'from-mcp',
    };
    expect(readSession(all, { header: 'x-session-id', env: noEnv })?.id).toBe('from-header');
    expect(readSession(all, { env: noEnv })?.id).toBe('from-cookie');
    const { cookie: _cookie, ...withoutCookie } = all;
    expect(readSession(withoutCookie, { env: noEnv })?.id).toBe('from-mcp');
  });

  it('finds no session in FC headers alone, or without a configured header name', () => {
    expect(readSession(fc3Headers, { env: noEnv })).toBeUndefined();
    expect(readSession({ 'x-session-id': SESSION.id }, { env: noEnv })).toBeUndefined();
  });

  it.each([
    ['an empty value', ''],
    ['a value sent twice', 'a, b'],
    ['spaces', 'a b'],
    ['a control character', 'a\u0001b'],
    ['an over-long id', 'x'.repeat(257)],
  ])('ignores %s', (_name, value) => {
    expect(readSession({ 'x-session-id': value }, { header: 'x-session-id', env: noEnv })).toBeUndefined();
  });

  it('never throws on odd input', () => {
    for (const source of [undefined, null, 7, { cookie: 5 }, { cookie: 'no-equals; =empty' }]) {
      expect(readSession(source as never, { header: 'x-session-id', env: noEnv })).toBeUndefined();
    }
  });
});
