import { afterEach, describe, expect, it } from 'vitest';
import { ENDPOINT_ENV, FcClient, FcError, resolveEndpoint } from '../src/index.js';
import { CREDENTIALS, startServer, type TestServer } from './support/server.js';

function errorOf(attempt: () => unknown): FcError {
  try {
    attempt();
  } catch (error) {
    expect(error).toBeInstanceOf(FcError);
    return error as FcError;
  }
  throw new Error('expected an FcError');
}

describe('resolveEndpoint', () => {
  it('uses an explicit endpoint, keeping only its origin', () => {
    // Act
    const url = resolveEndpoint(
      {
        endpoint: 'http://127.0.0.1:9100/ignored/path?x=1',
        region: 'cn-hangzhou',
        accountId: '1',
        env: { FCS_ENDPOINT: 'http://other:1' },
      },
      'invoke',
    );

    // Assess
    expect(url.href).toBe('http://127.0.0.1:9100/');
  });

  it('assumes https for an endpoint without a scheme', () => {
    // Act
    const url = resolveEndpoint({ endpoint: '1234.cn-hangzhou.fc.aliyuncs.com' }, 'management');

    // Assess
    expect(url.href).toBe('https://1234.cn-hangzhou.fc.aliyuncs.com/');
  });

  it('falls back to FCS_ENDPOINT', () => {
    // Act
    const url = resolveEndpoint({ env: { [ENDPOINT_ENV]: 'http://127.0.0.1:9100' } }, 'invoke');

    // Assess
    expect(ENDPOINT_ENV).toBe('FCS_ENDPOINT');
    expect(url.href).toBe('http://127.0.0.1:9100/');
  });

  it('builds the account endpoint from region and account, and its VPC twin', () => {
    // Act
    const management = resolveEndpoint({ region: 'cn-hangzhou', accountId: '1234567890123456', env: {} }, 'management');
    const invoke = resolveEndpoint({ region: 'cn-hangzhou', accountId: '1234567890123456', env: {} }, 'invoke');
    const internal = resolveEndpoint(
      { region: 'ap-southeast-1', accountId: '1234567890123456', internal: true, env: {} },
      'invoke',
    );

    // Assess
    expect(management.href).toBe('https://1234567890123456.cn-hangzhou.fc.aliyuncs.com/');
    expect(invoke.href).toBe(management.href);
    expect(internal.href).toBe('https://1234567890123456.ap-southeast-1-internal.fc.aliyuncs.com/');
  });

  it('sends management calls without an account to fcv3.{region}', () => {
    // Act
    const url = resolveEndpoint({ region: 'cn-shanghai', env: {} }, 'management');

    // Assess
    expect(url.href).toBe('https://fcv3.cn-shanghai.aliyuncs.com/');
  });

  it('refuses to invoke without an account, naming accountId', () => {
    // Act
    const error = errorOf(() => resolveEndpoint({ region: 'cn-shanghai', env: {} }, 'invoke'));

    // Assess
    expect(error).toMatchObject({ code: 'InvalidArgument', field: 'accountId' });
    expect(error.message).toContain('accountId is required to invoke in cn-shanghai');
    expect(error.message).toContain('FCS_ENDPOINT');
  });

  it('names region when it is missing or malformed, accountId when it is not numeric, FCS_ENDPOINT when it is bad', () => {
    // Act
    const missing = errorOf(() => resolveEndpoint({ env: {} }, 'management'));
    const malformed = errorOf(() => resolveEndpoint({ region: 'Hangzhou', env: {} }, 'management'));
    const account = errorOf(() => resolveEndpoint({ region: 'cn-hangzhou', accountId: 'acme', env: {} }, 'invoke'));
    const fromEnv = errorOf(() => resolveEndpoint({ env: { FCS_ENDPOINT: 'ftp://127.0.0.1' } }, 'invoke'));

    // Assess
    expect(missing).toMatchObject({ field: 'region' });
    expect(missing.message).toContain('region is required (e.g. cn-hangzhou)');
    expect(malformed).toMatchObject({ field: 'region' });
    expect(malformed.message).toContain('"Hangzhou"');
    expect(account).toMatchObject({ field: 'accountId' });
    expect(account.message).toContain('"acme"');
    expect(fromEnv).toMatchObject({ field: 'FCS_ENDPOINT' });
    expect(fromEnv.message).toContain('must use http or https');
  });
});

describe('a client and its endpoint', () => {
  let server: TestServer | undefined;
  let client: FcClient | undefined;

  afterEach(async () => {
    client?.close();
    await server?.close();
    client = undefined;
    server = undefined;
  });

  it('follows FCS_ENDPOINT from its env option', async () => {
    // Prepare
    server = await startServer();
    client = new FcClient({
      env: { FCS_ENDPOINT: server.url },
      credentials: CREDENTIALS,
      accountId: '1',
      region: 'cn-hangzhou',
    });

    // Act
    await client.getFunction('f');

    // Assess
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.headers.host).toBe(new URL(server.url).host);
  });

  it('refuses an invoke without an account before sending anything', async () => {
    // Prepare
    client = new FcClient({ region: 'cn-hangzhou', env: {}, home: '/nonexistent-fcs-home', credentials: CREDENTIALS });

    // Act
    const error = await client.invoke('f').catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'InvalidArgument', field: 'accountId' });
  });
});
