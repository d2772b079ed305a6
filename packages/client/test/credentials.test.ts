import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { serverlessDevsAccess, serverlessDevsAccessFolded } from '@fc-sessions/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Credentials,
  credentialsFromAliyunCli,
  credentialsFromEnv,
  credentialsFromServerlessDevs,
  defaultCredentialsChain,
  FcClient,
  FcError,
  protectCredentials,
  resolveAccountId,
  resolveRegion,
} from '../src/index.js';
import { drop, sendJson, startServer, type TestServer, verifyFc2 } from './support/server.js';
import { verifyRequest } from '../src/signing/index.js';

const FIXTURE = serverlessDevsAccess.path;
const MY_ALIAS = {
  accessKeyId: 'LTAI5tFakeAccessKeyId0000001',
  accessKeySecret: 'FakeAccessKeySecret000000000001',
  accountId: '1234567890123456',
};
const STS_ALIAS = {
  accessKeyId: 'STS.FakeAccessKeyId0000002',
  accessKeySecret: 'FakeAccessKeySecret000000000002',
  securityToken: 'FakeSecurityToken000000003',
};
const ENV_KEYS = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'envAccessKeyId0000000001',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'envAccessKeySecret000000000001',
  ALIBABA_CLOUD_SECURITY_TOKEN: 'envSecurityToken000000000001',
};
const S_ENV_KEYS = {
  AccessKeyID: 'sEnvAccessKeyId000000001',
  AccessKeySecret: 'sEnvAccessKeySecret0000000001',
  AccountID: '9876543210',
};
const ALIYUN_CONFIG = {
  current: 'default',
  profiles: [
    {
      name: 'default',
      mode: 'AK',
      access_key_id: 'cliAccessKeyId0000000001',
      access_key_secret: 'cliAccessKeySecret00000000001',
      sts_token: '',
      region_id: 'cn-shanghai',
      output_format: 'json',
      language: 'en',
    },
    {
      name: 'temp',
      mode: 'StsToken',
      access_key_id: 'STS.cliAccessKeyId00000002',
      access_key_secret: 'cliAccessKeySecret00000000002',
      sts_token: 'cliSecurityToken000000000002',
      region_id: 'cn-beijing',
      output_format: 'json',
      language: 'en',
    },
    { name: 'role', mode: 'RamRoleArn', access_key_id: 'x', access_key_secret: 'y', ram_role_arn: 'acs:ram::1:role/r' },
  ],
  meta_path: '',
};

/** Every secret and token of every source above: none of them may show up in output. */
const SECRETS = [
  MY_ALIAS.accessKeySecret,
  STS_ALIAS.accessKeySecret,
  STS_ALIAS.securityToken,
  ENV_KEYS.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
  ENV_KEYS.ALIBABA_CLOUD_SECURITY_TOKEN,
  S_ENV_KEYS.AccessKeySecret,
  'cliAccessKeySecret00000000001',
  'cliAccessKeySecret00000000002',
  'cliSecurityToken000000000002',
];

let home: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'fcs-client-home-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

/** Puts the alias file the real `s` CLI wrote at `<dir>/.s/access.yaml`, optionally renaming `myalias`. */
async function writeAccess(dir: string, rename?: string): Promise<void> {
  await mkdir(join(dir, '.s'), { recursive: true });
  const target = join(dir, '.s', 'access.yaml');
  if (!rename) return copyFile(FIXTURE, target);
  const text = await readFile(FIXTURE, 'utf8');
  await writeFile(target, text.replace(/^myalias:/m, `${rename}:`));
}

async function writeAliyun(dir: string): Promise<void> {
  await mkdir(join(dir, '.aliyun'), { recursive: true });
  await writeFile(join(dir, '.aliyun', 'config.json'), JSON.stringify(ALIYUN_CONFIG, null, 2));
}

const plain = (c: Credentials | undefined) =>
  c && { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken };

describe('environment', () => {
  it('reads ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / _SECURITY_TOKEN first', async () => {
    // Act
    const found = await defaultCredentialsChain({ env: { ...S_ENV_KEYS, ...ENV_KEYS }, home })();

    // Assess
    expect(plain(found)).toEqual({
      accessKeyId: ENV_KEYS.ALIBABA_CLOUD_ACCESS_KEY_ID,
      accessKeySecret: ENV_KEYS.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
      securityToken: ENV_KEYS.ALIBABA_CLOUD_SECURITY_TOKEN,
    });
  });

  it('reads Serverless Devs’ AccessKeyID / AccessKeySecret, and AccountID as the account', async () => {
    // Prepare
    const env = { ...S_ENV_KEYS };

    // Act
    const found = await defaultCredentialsChain({ env, home })();
    const accountId = await resolveAccountId({ env, home });

    // Assess
    expect(plain(found)).toEqual({
      accessKeyId: S_ENV_KEYS.AccessKeyID,
      accessKeySecret: S_ENV_KEYS.AccessKeySecret,
      securityToken: undefined,
    });
    expect(accountId).toBe('9876543210');
  });

  it('ignores an id without its secret', () => {
    // Act
    const found = credentialsFromEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'only-id', AccessKeyID: 'also-only-id' });

    // Assess
    expect(found).toBeUndefined();
  });

  it('comes before the default alias and the aliyun CLI', async () => {
    // Prepare
    await writeAccess(home, 'default');
    await writeAliyun(home);

    // Act
    const found = await defaultCredentialsChain({ env: S_ENV_KEYS, home })();

    // Assess
    expect(found.accessKeyId).toBe(S_ENV_KEYS.AccessKeyID);
  });
});

describe('Serverless Devs alias file written by the s CLI', () => {
  it('decrypts the alias named by access', async () => {
    // Prepare
    await writeAccess(home);

    // Act
    const found = await defaultCredentialsChain({ access: 'myalias', env: {}, home })();

    // Assess
    expect(plain(found)).toEqual({
      accessKeyId: MY_ALIAS.accessKeyId,
      accessKeySecret: MY_ALIAS.accessKeySecret,
      securityToken: undefined,
    });
  });

  it('reads an STS alias with its SecurityToken', async () => {
    // Prepare
    await writeAccess(home);

    // Act
    const found = await credentialsFromServerlessDevs('stsalias', { env: {}, home });

    // Assess
    expect(plain(found)).toEqual(STS_ALIAS);
  });

  it('finds the file under serverless_devs_config_home', async () => {
    // Prepare
    const configHome = join(home, 'elsewhere');
    await writeAccess(configHome);

    // Act
    const found = await defaultCredentialsChain({
      access: 'stsalias',
      env: { serverless_devs_config_home: configHome },
      home: join(home, 'empty'),
    })();

    // Assess
    expect(found.securityToken).toBe(STS_ALIAS.securityToken);
  });

  it('uses the alias alone when access is given, even with keys in the environment', async () => {
    // Prepare
    await writeAccess(home);

    // Act
    const found = await defaultCredentialsChain({ access: 'myalias', env: ENV_KEYS, home })();

    // Assess
    expect(found.accessKeyId).toBe(MY_ALIAS.accessKeyId);
  });

  it('falls back to the "default" alias without access', async () => {
    // Prepare
    await writeAccess(home, 'default');

    // Act
    const found = await defaultCredentialsChain({ env: {}, home })();

    // Assess
    expect(found.accessKeyId).toBe(MY_ALIAS.accessKeyId);
  });

  it('reads the folded (>-) values s writes for long secrets and STS tokens', async () => {
    // Prepare: written by `s config add` with the emulator's 44-character secret and a long STS token
    await mkdir(join(home, '.s'), { recursive: true });
    await copyFile(serverlessDevsAccessFolded.path, join(home, '.s', 'access.yaml'));

    // Act
    const found = await credentialsFromServerlessDevs('default', { home, env: {} });
    const sts = await credentialsFromServerlessDevs('sts', { home, env: {} });
    const accountId = await resolveAccountId({ home, env: {} });

    // Assess
    expect(found).toMatchObject({
      accessKeyId: 'fcsEmulatorAccessKeyId0001',
      accessKeySecret: 'fcsEmulatorAccessKeySecretDoNotUseInProd0001',
    });
    expect(accountId).toBe('1234567890123456');
    expect(sts).toMatchObject({
      accessKeyId: 'STS.FakeAccessKeyId0000002',
      securityToken: 'FakeSecurityToken000000003FakeSecurityToken000000003',
    });
  });

  it('names a missing alias, the file and how to add it', async () => {
    // Prepare
    await writeAccess(home);

    // Act
    const error = await defaultCredentialsChain({ access: 'nope', env: {}, home })().catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(FcError);
    expect(error).toMatchObject({ code: 'CredentialsNotFound', field: 'access' });
    const message = (error as FcError).message;
    expect(message).toContain('"nope"');
    expect(message).toContain(join(home, '.s', 'access.yaml'));
    expect(message).toContain('s config add -a nope');
  });

  it('names the alias when there is no file at all', async () => {
    // Act
    const error = await defaultCredentialsChain({ access: 'myalias', env: {}, home })().catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'CredentialsNotFound', field: 'access' });
    expect((error as FcError).message).toContain('"myalias"');
  });
});

describe('aliyun CLI config', () => {
  it('reads the current profile in AK mode', async () => {
    // Prepare
    await writeAliyun(home);

    // Act
    const found = await defaultCredentialsChain({ env: {}, home })();

    // Assess
    expect(plain(found)).toEqual({
      accessKeyId: 'cliAccessKeyId0000000001',
      accessKeySecret: 'cliAccessKeySecret00000000001',
      securityToken: undefined,
    });
  });

  it('reads a StsToken profile chosen by profile or ALIBABA_CLOUD_PROFILE', async () => {
    // Prepare
    await writeAliyun(home);

    // Act
    const byOption = await credentialsFromAliyunCli({ profile: 'temp', env: {}, home });
    const byEnv = await credentialsFromAliyunCli({ env: { ALIBABA_CLOUD_PROFILE: 'temp' }, home });

    // Assess
    const expected = {
      accessKeyId: 'STS.cliAccessKeyId00000002',
      accessKeySecret: 'cliAccessKeySecret00000000002',
      securityToken: 'cliSecurityToken000000000002',
    };
    expect(plain(byOption)).toEqual(expected);
    expect(plain(byEnv)).toEqual(expected);
  });

  it('skips modes it cannot sign with, and unknown profiles', async () => {
    // Prepare
    await writeAliyun(home);

    // Act
    const role = await credentialsFromAliyunCli({ profile: 'role', env: {}, home });
    const unknown = await credentialsFromAliyunCli({ profile: 'missing', env: {}, home });

    // Assess
    expect(role).toBeUndefined();
    expect(unknown).toBeUndefined();
  });
});

describe('nothing found', () => {
  it('says where it looked', async () => {
    // Act
    const error = await defaultCredentialsChain({ env: {}, home })().catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'CredentialsNotFound', field: 'credentials' });
    const message = (error as FcError).message;
    for (const place of ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'AccessKeyID', '~/.s/access.yaml', '~/.aliyun/config.json']) {
      expect(message).toContain(place);
    }
  });
});

describe('account id and region', () => {
  it('account id: ALIBABA_CLOUD_ACCOUNT_ID, AccountID, FC_ACCOUNT_ID, then the default alias', async () => {
    // Prepare
    await writeAccess(home, 'default');

    // Act
    const results = await Promise.all([
      resolveAccountId({ env: { ALIBABA_CLOUD_ACCOUNT_ID: '1', AccountID: '2', FC_ACCOUNT_ID: '3' }, home }),
      resolveAccountId({ env: { AccountID: '2', FC_ACCOUNT_ID: '3' }, home }),
      resolveAccountId({ env: { FC_ACCOUNT_ID: '3' }, home }),
      resolveAccountId({ env: {}, home }),
      resolveAccountId({ env: {}, home: join(home, 'empty') }),
    ]);

    // Assess
    expect(results).toEqual(['1', '2', '3', MY_ALIAS.accountId, undefined]);
  });

  it('account id with access: the alias’s AccountID, not the environment', async () => {
    // Prepare
    await writeAccess(home);

    // Act
    const accountId = await resolveAccountId({ access: 'stsalias', env: { ALIBABA_CLOUD_ACCOUNT_ID: '1' }, home });

    // Assess
    expect(accountId).toBe('1234567890123456');
  });

  it('region: ALIBABA_CLOUD_REGION_ID, FC_REGION, then the aliyun profile', async () => {
    // Prepare
    await writeAliyun(home);

    // Act
    const results = await Promise.all([
      resolveRegion({ env: { ALIBABA_CLOUD_REGION_ID: 'cn-hangzhou', FC_REGION: 'cn-beijing' }, home }),
      resolveRegion({ env: { FC_REGION: 'cn-beijing' }, home }),
      resolveRegion({ env: {}, home }),
      resolveRegion({ env: {}, profile: 'temp', home }),
      resolveRegion({ env: {}, home: join(home, 'empty') }),
    ]);

    // Assess
    expect(results).toEqual(['cn-hangzhou', 'cn-beijing', 'cn-shanghai', 'cn-beijing', undefined]);
  });
});

describe('a client on the chain', () => {
  let server: TestServer;
  let client: FcClient | undefined;

  beforeEach(async () => {
    server = await startServer((request, response) => {
      if (request.path.endsWith('/invocations')) response.end('ok');
      else sendJson(response, 200, { functionName: 'f' });
    });
  });
  afterEach(async () => {
    client?.close();
    client = undefined;
    await server.close();
  });

  const lookup = (id: string) =>
    ({ [MY_ALIAS.accessKeyId]: MY_ALIAS.accessKeySecret, [STS_ALIAS.accessKeyId]: STS_ALIAS.accessKeySecret })[id];

  it('signs with the access alias and takes the account id from it', async () => {
    // Prepare
    await writeAccess(home);
    client = new FcClient({ endpoint: server.url, region: 'cn-hangzhou', access: 'myalias', env: {}, home });

    // Act
    await client.getFunction('f');
    await client.invokeFc2('svc', 'f');

    // Assess
    const [management, fc2] = server.requests;
    expect(verifyRequest(management!, lookup)).toEqual({ ok: true, accessKeyId: MY_ALIAS.accessKeyId });
    expect(fc2?.headers['x-fc-account-id']).toBe(MY_ALIAS.accountId);
    expect(verifyFc2(fc2!, lookup)).toMatchObject({ ok: true, accessKeyId: MY_ALIAS.accessKeyId });
  });

  it('sends the STS alias’s token', async () => {
    // Prepare
    await writeAccess(home);
    client = new FcClient({ endpoint: server.url, region: 'cn-hangzhou', access: 'stsalias', env: {}, home });

    // Act
    await client.invoke('f');

    // Assess
    const request = server.requests[0]!;
    expect(request.headers['x-acs-security-token']).toBe(STS_ALIAS.securityToken);
    expect(verifyRequest(request, lookup)).toEqual({
      ok: true,
      accessKeyId: STS_ALIAS.accessKeyId,
      securityToken: STS_ALIAS.securityToken,
    });
  });

  it('fails the call with the alias named, before sending anything', async () => {
    // Prepare
    client = new FcClient({ endpoint: server.url, region: 'cn-hangzhou', access: 'ghost', env: {}, home });

    // Act
    const error = await client.getFunction('f').catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'CredentialsNotFound', field: 'access' });
    expect((error as FcError).message).toContain('"ghost"');
    expect(server.requests).toHaveLength(0);
  });

  it('accepts an async provider', async () => {
    // Prepare
    let calls = 0;
    client = new FcClient({
      endpoint: server.url,
      region: 'cn-hangzhou',
      accountId: '1',
      env: {},
      credentials: async () => {
        calls += 1;
        return { accessKeyId: MY_ALIAS.accessKeyId, accessKeySecret: MY_ALIAS.accessKeySecret };
      },
    });

    // Act
    await client.getFunction('f');
    await client.getFunction('f');

    // Assess
    expect(calls).toBe(2);
    expect(server.requests.every((r) => verifyRequest(r, lookup).ok)).toBe(true);
  });
});

/** Every way a value commonly ends up in a log. */
function renderings(value: unknown): string[] {
  const rendered = [JSON.stringify(value), inspect(value), inspect(value, { depth: 10 }), String(value), `${value}`];
  if (value && typeof value === 'object')
    rendered.push(JSON.stringify({ ...value }), inspect({ ...value }), Object.keys(value).join(','));
  if (value instanceof Error) rendered.push(value.message, value.stack ?? '', inspect(value.cause));
  return rendered;
}

function expectNoSecret(value: unknown): void {
  for (const text of renderings(value)) {
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  }
}

describe('redaction', () => {
  it('credentials from every source hide their secret and token, yet stay usable', async () => {
    // Prepare
    await writeAccess(home);
    await writeAliyun(home);

    // Act
    const all = [
      credentialsFromEnv(ENV_KEYS),
      credentialsFromEnv(S_ENV_KEYS),
      await credentialsFromServerlessDevs('myalias', { env: {}, home }),
      await credentialsFromServerlessDevs('stsalias', { env: {}, home }),
      await credentialsFromAliyunCli({ env: {}, home }),
      await credentialsFromAliyunCli({ profile: 'temp', env: {}, home }),
      protectCredentials(STS_ALIAS),
    ];

    // Assess
    for (const credentials of all) {
      expect(credentials?.accessKeySecret).toBeTruthy();
      expectNoSecret(credentials);
      expect(JSON.parse(JSON.stringify(credentials))).toEqual({
        accessKeyId: credentials?.accessKeyId,
        accessKeySecret: '<redacted>',
      });
    }
    expect(all[3]?.securityToken).toBe(STS_ALIAS.securityToken);
  });

  it('a client shows neither the keys it was given nor the ones it found', async () => {
    // Prepare
    await writeAccess(home);
    const server = await startServer();
    const given = new FcClient({
      endpoint: server.url,
      accountId: '1',
      region: 'cn-hangzhou',
      env: {},
      credentials: STS_ALIAS,
    });
    const found = new FcClient({ endpoint: server.url, region: 'cn-hangzhou', access: 'stsalias', env: {}, home });

    // Act
    await given.getFunction('f');
    await found.getFunction('f');
    given.close();
    found.close();
    await server.close();

    // Assess
    expectNoSecret(given);
    expectNoSecret(found);
    expect(JSON.parse(JSON.stringify(given))).toEqual({ endpoint: server.url, region: 'cn-hangzhou', accountId: '1' });
  });

  it('errors of failed requests carry no secret', async () => {
    // Prepare
    let mode = 'denied';
    const server = await startServer((_request, response, raw) => {
      if (mode === 'denied')
        sendJson(response, 403, { Code: 'SignatureNotMatch', Message: 'The signature does not match.' });
      else drop(raw);
    });
    const client = new FcClient({
      endpoint: server.url,
      accountId: '1',
      region: 'cn-hangzhou',
      env: {},
      credentials: STS_ALIAS,
      retry: false,
    });

    // Act
    const denied = await client.getSession('f', 's').catch((e: unknown) => e);
    mode = 'dropped';
    const dropped = await client.invoke('f', { body: 'x' }).catch((e: unknown) => e);
    const fc2 = await client.invokeFc2('svc', 'f').catch((e: unknown) => e);
    const ghost = new FcClient({ endpoint: server.url, env: {}, home, access: 'ghost' });
    const missing = await ghost.getFunction('f').catch((e: unknown) => e);
    ghost.close();
    client.close();
    await server.close();

    // Assess
    for (const error of [denied, dropped, fc2, missing]) {
      expect(error).toBeInstanceOf(FcError);
      expectNoSecret(error);
    }
  });
});
