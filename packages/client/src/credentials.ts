import { nodeCrypto, nodeFsPromises, nodeOs } from './builtins.js';
import { join } from 'node:path';
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

/** Serverless Devs keeps access.yaml values as CryptoJS AES ("Salted__", MD5 key derivation) under a fixed passphrase. */
const SERVERLESS_DEVS_PASSPHRASE = 'SecretKey123';

function decryptServerlessDevsValue(value: string): string {
  const raw = Buffer.from(value, 'base64');
  if (raw.length < 32 || raw.subarray(0, 8).toString('latin1') !== 'Salted__') return value;
  const salt = raw.subarray(8, 16);
  let material = Buffer.alloc(0);
  let block = Buffer.alloc(0);
  while (material.length < 48) {
    block = nodeCrypto()
      .createHash('md5')
      .update(Buffer.concat([block, Buffer.from(SERVERLESS_DEVS_PASSPHRASE), salt]))
      .digest();
    material = Buffer.concat([material, block]);
  }
  try {
    const decipher = nodeCrypto().createDecipheriv('aes-256-cbc', material.subarray(0, 32), material.subarray(32, 48));
    return Buffer.concat([decipher.update(raw.subarray(16)), decipher.final()]).toString('utf8');
  } catch {
    return value;
  }
}

function unquote(text: string): string {
  const t = text.trim();
  if (t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")))) {
    return t.startsWith('"') ? (JSON.parse(t) as string) : t.slice(1, -1).replace(/''/g, "'");
  }
  return t;
}

const indentOf = (line: string): number => line.length - line.trimStart().length;

/**
 * Reads the two-level `alias: {Key: value}` mapping that `s config add` writes, including the
 * block scalars (`>-` folded, `|` literal) js-yaml uses for values longer than its line width.
 */
export function parseServerlessDevsAccess(text: string): Record<string, Record<string, string>> {
  const aliases: Record<string, Record<string, string>> = {};
  const lines = text.split(/\r?\n/);
  let current: Record<string, string> | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = unquote(line.slice(0, colon));
    let value = line.slice(colon + 1).trim();
    if (indentOf(line) === 0) {
      current = {};
      aliases[key] = current;
      continue;
    }
    const block = /^([>|])[+-]?$/.exec(value);
    if (block) {
      const parts: string[] = [];
      while (i + 1 < lines.length && (!lines[i + 1]!.trim() || indentOf(lines[i + 1]!) > indentOf(line))) {
        parts.push(lines[++i]!.trim());
      }
      value = parts.join(block[1] === '>' ? ' ' : '\n').trim();
    } else {
      value = unquote(value);
    }
    if (current) current[key] = decryptServerlessDevsValue(value);
  }
  return aliases;
}

/** The files of the chain are read only when it runs, so loading the client stays cheap. */
async function readText(path: string): Promise<string | undefined> {
  return nodeFsPromises()
    .readFile(path, 'utf8')
    .catch(() => undefined);
}

async function homeOf(options: ChainOptions): Promise<string> {
  return options.home ?? nodeOs().homedir();
}

async function serverlessDevsHome(options: ChainOptions): Promise<string> {
  return (options.env ?? process.env)['serverless_devs_config_home'] || homeOf(options);
}

async function readServerlessDevsAlias(
  alias: string,
  options: ChainOptions,
): Promise<Record<string, string> | undefined> {
  const text = await readText(join(await serverlessDevsHome(options), '.s', 'access.yaml'));
  return text === undefined ? undefined : parseServerlessDevsAccess(text)[alias];
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
    config = JSON.parse((await readText(join(await homeOf(options), '.aliyun', 'config.json'))) ?? '');
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
        message: `No Serverless Devs alias "${options.access}" with AccessKeyID and AccessKeySecret in ${join(await serverlessDevsHome(options), '.s', 'access.yaml')} (add it with: s config add -a ${options.access})`,
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

/** The account id: `ALIBABA_CLOUD_ACCOUNT_ID`, `AccountID`, `FC_ACCOUNT_ID`, then the Serverless Devs alias. */
export async function resolveAccountId(options: ChainOptions = {}): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const fromEnv = options.access
    ? undefined
    : env['ALIBABA_CLOUD_ACCOUNT_ID'] || env['AccountID'] || env['FC_ACCOUNT_ID'];
  if (fromEnv) return fromEnv;
  const entry = await readServerlessDevsAlias(options.access ?? 'default', options);
  return entry?.['AccountID'] || undefined;
}

/** The region: `ALIBABA_CLOUD_REGION_ID`, `FC_REGION`, then the aliyun CLI profile's `region_id`. */
export async function resolveRegion(options: ChainOptions = {}): Promise<string | undefined> {
  const env = options.env ?? process.env;
  return (
    env['ALIBABA_CLOUD_REGION_ID'] || env['FC_REGION'] || (await readAliyunProfile(options))?.region_id || undefined
  );
}
