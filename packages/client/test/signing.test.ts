import type * as Crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { type SignatureVector, vectors } from '@fc-sessions/testing';
import { describe, expect, it, vi } from 'vitest';
import {
  createNonceCache,
  parseQuery,
  signFc2Request,
  signRequest,
  verifyFc2Request,
  verifyFc2RequestBody,
  verifyFc2RequestHeaders,
  verifyRequest,
  verifyRequestBody,
  verifyRequestHeaders,
} from '../src/signing/index.js';
import { hmacSha256, sha256Hex } from '../src/signing/encoding.js';

function split(c: SignatureVector) {
  const { authorization, ...rest } = c.headers;
  const accessKeyId = /Credential=([^,]+)/.exec(authorization ?? '')?.[1] ?? '';
  const dated = rest['x-acs-date'] ?? '';
  return { authorization: authorization ?? '', rest, accessKeyId, date: new Date(dated) };
}

describe('ACS3-HMAC-SHA256 vectors', () => {
  for (const c of vectors.cases) {
    it(`signs ${c.name}`, () => {
      const { rest, authorization, accessKeyId, date } = split(c);
      const {
        'x-acs-date': _d,
        'x-acs-signature-nonce': nonce,
        'x-acs-content-sha256': _h,
        'x-acs-accesskey-id': _a,
        'x-acs-security-token': token,
        ...base
      } = rest;
      const added = signRequest(
        { method: c.method, url: c.url, headers: base, body: c.body },
        { accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: token },
        { date, nonce: nonce ?? '' },
      );
      expect(added['authorization']).toBe(authorization);
      expect(added['x-acs-content-sha256']).toBe(rest['x-acs-content-sha256']);
    });

    it(`verifies ${c.name}`, () => {
      const { accessKeyId, date } = split(c);
      const lookup = (id: string) => (id === accessKeyId ? c.accessKeySecret : undefined);
      const result = verifyRequest({ method: c.method, url: c.url, headers: c.headers, body: c.body }, lookup, {
        now: date,
      });
      expect(result).toMatchObject({ ok: true, accessKeyId });
    });
  }
});

describe('verifyRequest rejects', () => {
  const c = vectors.cases[1]!;
  const { accessKeyId, date } = split(c);
  const lookup = (id: string) => (id === accessKeyId ? c.accessKeySecret : undefined);
  const request = { method: c.method, url: c.url, headers: c.headers, body: c.body };

  it('a tampered body', () => {
    expect(verifyRequest({ ...request, body: c.body.replace('3600', '3601') }, lookup, { now: date })).toMatchObject({
      ok: false,
      code: 'SignatureNotMatch',
    });
  });
  it('a tampered query', () => {
    expect(verifyRequest({ ...request, url: c.url.replace('LATEST', 'prod') }, lookup, { now: date })).toMatchObject({
      ok: false,
      code: 'SignatureNotMatch',
    });
  });
  it('a tampered signed header', () => {
    const headers = { ...c.headers, 'x-acs-action': 'DeleteSession' };
    expect(verifyRequest({ ...request, headers }, lookup, { now: date })).toMatchObject({
      ok: false,
      code: 'SignatureNotMatch',
    });
  });
  it('an added unsigned x-acs header', () => {
    const headers = { ...c.headers, 'x-acs-extra': '1' };
    expect(verifyRequest({ ...request, headers }, lookup, { now: date })).toMatchObject({
      ok: false,
      code: 'SignatureNotMatch',
    });
  });
  it('a wrong secret', () => {
    expect(verifyRequest(request, () => 'otherSecret', { now: date })).toMatchObject({
      ok: false,
      code: 'SignatureNotMatch',
    });
  });
  it('an unknown key', () => {
    expect(verifyRequest(request, () => undefined, { now: date })).toMatchObject({
      ok: false,
      code: 'InvalidAccessKeyID',
    });
  });
  it('a date more than 15 minutes away', () => {
    const now = new Date(date.getTime() + 901_000);
    expect(verifyRequest(request, lookup, { now })).toMatchObject({ ok: false, code: 'InvalidTimeStamp.Expired' });
    expect(verifyRequest(request, lookup, { now: new Date(date.getTime() + 899_000) })).toMatchObject({ ok: true });
  });
  it('a reused nonce', () => {
    const acceptNonce = createNonceCache();
    expect(verifyRequest(request, lookup, { now: date, acceptNonce })).toMatchObject({ ok: true });
    expect(verifyRequest(request, lookup, { now: date, acceptNonce })).toMatchObject({
      ok: false,
      code: 'SignatureNonceUsed',
    });
  });
  it('a missing or malformed authorization', () => {
    const { authorization: _a, ...headers } = c.headers;
    expect(verifyRequest({ ...request, headers }, lookup)).toMatchObject({ ok: false, code: 'MissingAuthorization' });
    expect(verifyRequest({ ...request, headers: { ...headers, authorization: 'Bearer x' } }, lookup)).toMatchObject({
      ok: false,
      code: 'InvalidAuthorization',
    });
  });
});

describe('FC 2.0 signature', () => {
  const credentials = { accessKeyId: 'testAKID', accessKeySecret: 'testSecret' };
  const lookup = (id: string) => (id === 'testAKID' ? 'testSecret' : undefined);
  const url = '/2016-08-15/services/svc.LATEST/functions/fn/invocations';
  const base = {
    'content-type': 'application/octet-stream',
    host: '123.cn-hangzhou.fc.aliyuncs.com',
    'x-fc-account-id': '123',
    'x-fc-invocation-type': 'Sync',
  };
  const date = new Date('2025-01-01T00:00:00Z');

  it('signs and verifies, with the md5 quirk and the x-fc headers signed', () => {
    const body = '{"a":1}';
    const added = signFc2Request({ method: 'POST', url, headers: base, body }, credentials, { date });
    expect(added['date']).toBe('Wed, 01 Jan 2025 00:00:00 GMT');
    expect(Buffer.from(added['content-md5']!, 'base64').toString()).toMatch(/^[0-9a-f]{32}$/);
    expect(added['authorization']).toMatch(/^FC testAKID:[A-Za-z0-9+/]+=*$/);
    const headers = { ...base, ...added };
    expect(verifyFc2Request({ method: 'POST', url, headers, body }, lookup, { now: date })).toEqual({
      ok: true,
      accessKeyId: 'testAKID',
    });
    expect(
      verifyFc2Request(
        { method: 'POST', url, headers: { ...headers, 'x-fc-invocation-type': 'Async' }, body },
        lookup,
        { now: date },
      ),
    ).toMatchObject({ ok: false, code: 'SignatureNotMatch' });
    expect(verifyFc2Request({ method: 'POST', url, headers, body: '{"a":2}' }, lookup, { now: date })).toMatchObject({
      ok: false,
      code: 'SignatureNotMatch',
    });
    expect(
      verifyFc2Request({ method: 'POST', url, headers, body }, lookup, { now: new Date(date.getTime() + 16 * 60_000) }),
    ).toMatchObject({ ok: false, code: 'InvalidTimeStamp.Expired' });
  });

  it('carries an STS token as a signed x-fc-security-token', () => {
    const added = signFc2Request(
      { method: 'POST', url, headers: base },
      { ...credentials, securityToken: 'STS.x' },
      { date },
    );
    expect(added['x-fc-security-token']).toBe('STS.x');
    expect(verifyFc2Request({ method: 'POST', url, headers: { ...base, ...added } }, lookup, { now: date })).toEqual({
      ok: true,
      accessKeyId: 'testAKID',
      securityToken: 'STS.x',
    });
  });
});

describe('verification before the body is read', () => {
  const c = vectors.cases[1]!;
  const { accessKeyId, date } = split(c);
  const lookup = (id: string) => (id === accessKeyId ? c.accessKeySecret : undefined);
  const request = { method: c.method, url: c.url, headers: c.headers };

  it('checks key, signature and date from the headers alone, then the body against the declared hash', () => {
    expect(verifyRequestHeaders(request, lookup, { now: date })).toMatchObject({ ok: true, accessKeyId });
    expect(verifyRequestHeaders(request, () => undefined, { now: date })).toMatchObject({ code: 'InvalidAccessKeyID' });
    expect(verifyRequestHeaders(request, lookup, { now: new Date(date.getTime() + 901_000) })).toMatchObject({
      code: 'InvalidTimeStamp.Expired',
    });
    expect(verifyRequestBody({ headers: c.headers, body: c.body })).toBeUndefined();
    expect(verifyRequestBody({ headers: c.headers, body: `${c.body} ` })).toMatchObject({ code: 'SignatureNotMatch' });
  });

  it('reads mixed-case names as lower-case; a signed name the request lacks (even one every object inherits) fails', () => {
    const lower = Object.fromEntries(Object.entries(c.headers).map(([name, value]) => [name.toLowerCase(), value]));
    const mixed = Object.fromEntries(Object.entries(lower).map(([name, value]) => [name.toUpperCase(), value]));
    expect(verifyRequestHeaders({ ...request, headers: lower }, lookup, { now: date })).toMatchObject({ ok: true });
    expect(verifyRequestHeaders({ ...request, headers: mixed }, lookup, { now: date })).toMatchObject({ ok: true });
    const authorization = String(lower['authorization']).replace('SignedHeaders=', 'SignedHeaders=constructor;');
    expect(
      verifyRequestHeaders({ ...request, headers: { ...lower, authorization } }, lookup, { now: date }),
    ).toMatchObject({ ok: false, code: 'SignatureNotMatch' });
    const { host: _host, ...noHost } = lower;
    expect(verifyRequestHeaders({ ...request, headers: noHost }, lookup, { now: date })).toMatchObject({
      code: 'MissingRequiredHeader',
    });
  });

  it('FC 2.0 the same way: signature and date first, Content-MD5 with the body', () => {
    const credentials = { accessKeyId: 'testAKID', accessKeySecret: 'testSecret' };
    const url = '/2016-08-15/services/s/functions/f/invocations';
    const base = { 'content-type': 'application/json' };
    const body = '{"a":1}';
    const headers = { ...base, ...signFc2Request({ method: 'POST', url, headers: base, body }, credentials) };
    const fc2Lookup = (id: string) => (id === 'testAKID' ? 'testSecret' : undefined);
    expect(verifyFc2RequestHeaders({ method: 'POST', url, headers }, fc2Lookup)).toMatchObject({ ok: true });
    expect(verifyFc2RequestHeaders({ method: 'POST', url, headers }, () => undefined)).toMatchObject({
      code: 'InvalidAccessKeyID',
    });
    expect(verifyFc2RequestBody({ headers, body })).toBeUndefined();
    expect(verifyFc2RequestBody({ headers, body: '{"a":2}' })).toMatchObject({ code: 'SignatureNotMatch' });
  });
});

describe('parseQuery', () => {
  it('decodes percent-encoding the way the signature does: a plus sign stays a plus sign', () => {
    expect(parseQuery('prefix=a%2Bb')).toEqual([['prefix', 'a+b']]);
    expect(parseQuery('prefix=a+b')).toEqual([['prefix', 'a+b']]);
    expect(parseQuery('a=1&&b&c=%20')).toEqual([
      ['a', '1'],
      ['b', ''],
      ['c', ' '],
    ]);
  });
  it('answers undefined for malformed percent-encoding', () => {
    expect(parseQuery('prefix=%E0%A4%A')).toBeUndefined();
    expect(parseQuery('%zz=1')).toBeUndefined();
  });
});

describe('createNonceCache', () => {
  it('forgets by time only: a nonce stays refused after a million others within the window', () => {
    let now = 0;
    const accept = createNonceCache(1800, () => now);
    expect(accept('first')).toBe(true);
    for (let i = 0; i < 1_000_001; i++) accept(`n${i}`);
    now = 1799_000;
    expect(accept('first')).toBe(false);
    now = 1800_000;
    expect(accept('first')).toBe(false);
    now = 3600_000;
    expect(accept('first')).toBe(true);
  }, 60_000);
});

describe('the hashes under the signatures', () => {
  const nodeCrypto = createRequire(import.meta.url)('node:crypto') as typeof Crypto;
  const secrets = [
    '',
    'k',
    'benchAccessKeySecretNotARealOne0001',
    'x'.repeat(64),
    'y'.repeat(65),
    'z'.repeat(200),
    'ключ-秘密',
  ];
  const texts = ['', 'ACS3-HMAC-SHA256\nabc', 'é'.repeat(40), 'm'.repeat(5000)];
  const check = () => {
    for (const secret of secrets) {
      for (const text of texts) {
        for (const encoding of ['hex', 'base64'] as const) {
          expect(hmacSha256(secret, text, encoding)).toBe(
            nodeCrypto.createHmac('sha256', secret).update(text).digest(encoding),
          );
        }
      }
    }
    for (const body of ['', 'abc', Buffer.from('é'.repeat(300)), new Uint8Array(70)]) {
      expect(sha256Hex(body)).toBe(nodeCrypto.createHash('sha256').update(body).digest('hex'));
    }
  };

  it('HMAC-SHA256 over cached pads gives createHmac bytes for short, block-long, long and non-ASCII secrets', check);

  it('the same without crypto.hash (Node before 20.12), through createHash', () => {
    const oneShot = nodeCrypto.hash;
    Object.assign(nodeCrypto, { hash: undefined });
    const createHash = vi.spyOn(nodeCrypto, 'createHash');
    try {
      check();
      expect(createHash).toHaveBeenCalled();
    } finally {
      createHash.mockRestore();
      Object.assign(nodeCrypto, { hash: oneShot });
    }
  });
});
