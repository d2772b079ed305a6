import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeOs } from '@fc-sessions/internals/builtins';
import { readServerlessDevsAlias, serverlessDevsAccessPath } from '@fc-sessions/internals/serverless-devs-access';
import { FcError } from './errors.js';
import type { Credentials } from './signing/types.js';

export type { Credentials } from './signing/types.js';

/** Any async source of keys, e.g. a wrapper around `@alicloud/credentials` that refreshes STS tokens. */
export type CredentialsProvider = () => Promise<Credentials>;

type Env = Readonly<Record<string, string | undefined>>;

export interface ChainOptions {
  /** A Serverless Devs alias (`s config add -a <alias>`); when given, only that source is used. */
  access?: string | undefined;
  /** An aliyun CLI profile name; default `$ALIBABA_CLOUD_PROFILE` or the file's `current`. */
  profile?: string | undefined;
  env?: Env;
  /** The home directory the files are read from; default `os.homedir()`. */
  home?: string;
}

const REDACTED = '<redacted>';

/**
 * Returns the same keys with the secret and the token hidden from `JSON.stringify`,
 * `util.inspect`, spreading and `Object.keys` (they stay readable as properties).
 */
export function protectCredentials(credentials: Credentials): Credentials {
  const shown = { accessKeyId: credentials.accessKeyId };
  const hidden = (value: string | undefined) => ({ value, enumerable: false, writable: false, configurable: false });
  return Object.freeze(
    Object.defineProperties(shown, {
      accessKeySecret: hidden(credentials.accessKeySecret),
      securityToken: hidden(credentials.securityToken),
      toJSON: { value: () => ({ accessKeyId: credentials.accessKeyId, accessKeySecret: REDACTED }), enumerable: false },
    }),
  ) as Credentials;
}

function fromPair(
  id: string | undefined,
  secret: string | undefined,
  token: string | undefined,
): Credentials | undefined {
  if (!id || !secret) return undefined;
  return protectCredentials({ accessKeyId: id, accessKeySecret: secret, securityToken: token || undefined });
}

/** `ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET` / `ALIBABA_CLOUD_SECURITY_TOKEN`, then Serverless Devs' `AccessKeyID` / `AccessKeySecret` / `SecurityToken`. */
export function credentialsFromEnv(env: Env = process.env): Credentials | undefined {
  return (
    fromPair(
      env['ALIBABA_CLOUD_ACCESS_KEY_ID'],
      env['ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
      env['ALIBABA_CLOUD_SECURITY_TOKEN'],
    ) ?? fromPair(env['AccessKeyID'], env['AccessKeySecret'], env['SecurityToken'])
  );
}

/**
 * The files of the chain are read when it runs, each once and small, so synchronously: `node:fs`
 * is loaded with Node itself, while `node:fs/promises` costs about 1 ms to load and each async read
 * four trips through libuv's thread pool, which a one-shot CLI pays at start.
 */
function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function homeOf(options: ChainOptions): Promise<string> {
  return options.home ?? nodeOs().homedir();
}

/** A Serverless Devs alias from `~/.s/access.yaml` (or `$serverless_devs_config_home/.s/access.yaml`). */
export async function credentialsFromServerlessDevs(
  alias = 'default',
  options: ChainOptions = {},
): Promise<Credentials | undefined> {
  const entry = await readServerlessDevsAlias(alias, options);
  return entry && fromPair(entry['AccessKeyID'], entry['AccessKeySecret'], entry['SecurityToken']);
}

interface AliyunProfile {
  name?: string;
  mode?: string;
  access_key_id?: string;
  access_key_secret?: string;
  sts_token?: string;
  region_id?: string;
}

async function readAliyunProfile(options: ChainOptions): Promise<AliyunProfile | undefined> {
  let config: { current?: string; profiles?: AliyunProfile[] };
  try {
    config = JSON.parse(readText(join(await homeOf(options), '.aliyun', 'config.json')) ?? '');
  } catch {
    return undefined;
  }
  const name = options.profile ?? (options.env ?? process.env)['ALIBABA_CLOUD_PROFILE'] ?? config.current ?? 'default';
  return config.profiles?.find((p) => p.name === name);
}

/** An aliyun CLI profile from `~/.aliyun/config.json`, in `AK` or `StsToken` mode. */
export async function credentialsFromAliyunCli(options: ChainOptions = {}): Promise<Credentials | undefined> {
  const profile = await readAliyunProfile(options);
  if (!profile || (profile.mode !== 'AK' && profile.mode !== 'StsToken')) return undefined;
  return fromPair(
    profile.access_key_id,
    profile.access_key_secret,
    profile.mode === 'StsToken' ? profile.sts_token : undefined,
  );
}

/**
 * The default chain: with `access`, that Serverless Devs alias alone; otherwise the environment,
 * the `default` Serverless Devs alias, then the aliyun CLI profile. Throws `FcError`
 * `CredentialsNotFound` naming every place it looked.
 */
export function defaultCredentialsChain(options: ChainOptions = {}): CredentialsProvider {
  return async () => {
    if (options.access) {
      const found = await credentialsFromServerlessDevs(options.access, options);
      if (found) return found;
      throw new FcError({
        code: 'CredentialsNotFound',
        field: 'access',
        message: `No Serverless Devs alias "${options.access}" with AccessKeyID and AccessKeySecret in ${await serverlessDevsAccessPath(options)} (add it with: s config add -a ${options.access})`,
      });
    }
    const found =
      credentialsFromEnv(options.env) ??
      (await credentialsFromServerlessDevs('default', options)) ??
      (await credentialsFromAliyunCli(options));
    if (found) return found;
    throw new FcError({
      code: 'CredentialsNotFound',
      field: 'credentials',
      message:
        'No credentials found. Looked in: ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET, AccessKeyID/AccessKeySecret, ' +
        'the "default" alias of ~/.s/access.yaml, and the aliyun CLI profile in ~/.aliyun/config.json.',
    });
  };
}

/** The environment variables that name the account id, first set wins (not read with a Serverless Devs alias). */
export const ACCOUNT_ID_ENV = ['ALIBABA_CLOUD_ACCOUNT_ID', 'AccountID', 'FC_ACCOUNT_ID'] as const;
/** The environment variables that name the region, first set wins. */
export const REGION_ENV = ['ALIBABA_CLOUD_REGION_ID', 'FC_REGION'] as const;

const firstSet = (env: Readonly<Record<string, string | undefined>>, names: readonly string[]) =>
  names.map((name) => env[name]).find((value) => value) || undefined;

/** The account id: `ACCOUNT_ID_ENV` (unless `access` names an alias), then the Serverless Devs alias. */
export async function resolveAccountId(options: ChainOptions = {}): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const fromEnv = options.access ? undefined : firstSet(env, ACCOUNT_ID_ENV);
  if (fromEnv) return fromEnv;
  const entry = await readServerlessDevsAlias(options.access ?? 'default', options);
  return entry?.['AccountID'] || undefined;
}

/** The region: `REGION_ENV`, then the aliyun CLI profile's `region_id`. */
export async function resolveRegion(options: ChainOptions = {}): Promise<string | undefined> {
  const env = options.env ?? process.env;
  return firstSet(env, REGION_ENV) || (await readAliyunProfile(options))?.region_id || undefined;
}
