import { inspect } from 'node:util';
import { FAKE_CREDENTIALS, fc3Headers } from '@fc-sessions/testing';
import { describe, expect, it } from 'vitest';
import { Credentials, readInvocation, readRequest } from '../src/index.js';

const secrets = [FAKE_CREDENTIALS.accessKeyId, FAKE_CREDENTIALS.accessKeySecret, FAKE_CREDENTIALS.securityToken];

function expectNoSecret(text: string) {
  for (const secret of secrets) expect(text).not.toContain(secret);
  expect(text).toContain('[redacted]');
}

describe('Credentials', () => {
  const credentials = readInvocation(fc3Headers, { env: {} }).credentials!;

  it('gives code the real values', () => {
    expect(credentials).toBeInstanceOf(Credentials);
    expect(credentials.accessKeySecret).toBe(FAKE_CREDENTIALS.accessKeySecret);
  });

  it('is redacted in JSON.stringify, alone and inside the invocation and the request', () => {
    expectNoSecret(JSON.stringify(credentials));
    expect(JSON.parse(JSON.stringify(credentials))).toEqual({
      accessKeyId: '[redacted]',
      accessKeySecret: '[redacted]',
      securityToken: '[redacted]',
    });
    expectNoSecret(JSON.stringify(readRequest(fc3Headers, { env: {} })));
  });

  it('is redacted in util.inspect and console formatting, however deep', () => {
    expectNoSecret(inspect(credentials));
    expectNoSecret(
      inspect(readRequest(fc3Headers, { env: {} }), { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    );
  });

  it('is redacted in string conversion', () => {
    expectNoSecret(String(credentials));
    expectNoSecret(`${credentials}`);
    expectNoSecret(credentials + '');
  });

  it('has nothing to spread or enumerate', () => {
    expect(Object.keys(credentials)).toEqual([]);
    expect({ ...credentials }).toEqual({});
  });

  it('omits a missing security token', () => {
    expect(new Credentials('id', 'secret').toJSON()).toEqual({
      accessKeyId: '[redacted]',
      accessKeySecret: '[redacted]',
    });
  });
});
