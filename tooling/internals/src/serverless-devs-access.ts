import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeCrypto, nodeOs } from './builtins.js';

/** `alias -> { AccessKeyID, AccessKeySecret, AccountID, SecurityToken, ... }`, values decrypted. */
export type ServerlessDevsAliases = Record<string, Record<string, string>>;

type Env = Readonly<Record<string, string | undefined>>;

export interface AccessFileOptions {
  /** Read for `serverless_devs_config_home`; default `process.env`. */
  env?: Env | undefined;
  /** The home directory; default `os.homedir()`. */
  home?: string | undefined;
}

/** Serverless Devs keeps access.yaml values as CryptoJS AES ("Salted__", MD5 key derivation) under a fixed passphrase. */
const PASSPHRASE = 'SecretKey123';

function decrypt(value: string): string {
  const raw = Buffer.from(value, 'base64');
  if (raw.length < 32 || raw.subarray(0, 8).toString('latin1') !== 'Salted__') return value;
  const salt = raw.subarray(8, 16);
  let material = Buffer.alloc(0);
  let block = Buffer.alloc(0);
  while (material.length < 48) {
    block = nodeCrypto()
      .createHash('md5')
      .update(Buffer.concat([block, Buffer.from(PASSPHRASE), salt]))
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
export function parseServerlessDevsAccess(text: string): ServerlessDevsAliases {
  const aliases: ServerlessDevsAliases = {};
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
    if (current) current[key] = decrypt(value);
  }
  return aliases;
}

/** `~/.s/access.yaml`, or `$serverless_devs_config_home/.s/access.yaml` when that is set. */
export async function serverlessDevsAccessPath(options: AccessFileOptions = {}): Promise<string> {
  const home = (options.env ?? process.env)['serverless_devs_config_home'] || (options.home ?? nodeOs().homedir());
  return join(home, '.s', 'access.yaml');
}

/** One alias of the access file, or undefined when the file or the alias is missing. */
export async function readServerlessDevsAlias(
  alias: string,
  options: AccessFileOptions = {},
): Promise<Record<string, string> | undefined> {
  // Read synchronously: a small file read once, and `node:fs` is loaded with Node while
  // `node:fs/promises` is not (see the client's credential chain).
  let text: string;
  try {
    text = readFileSync(await serverlessDevsAccessPath(options), 'utf8');
  } catch {
    return undefined;
  }
  return parseServerlessDevsAccess(text)[alias];
}
