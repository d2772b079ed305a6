import { nodeCrypto } from '../builtins.js';
import type { HeaderRecord } from './types.js';

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export function sha256Hex(body: string | Uint8Array | undefined): string {
  if (body === undefined || body.length === 0) return EMPTY_SHA256;
  return nodeCrypto().createHash('sha256').update(body).digest('hex');
}

export function hmacSha256(secret: string, text: string): Buffer {
  return nodeCrypto().createHmac('sha256', secret).update(text).digest();
}

/** RFC 3986 encoding: `encodeURIComponent` plus `! ' ( ) *`. */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decodeQueryPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Splits `path?query` into the path and its decoded `[name, value]` pairs. */
export function splitUrl(url: string): { path: string; query: Array<[string, string]> } {
  const mark = url.indexOf('?');
  if (mark < 0) return { path: url, query: [] };
  const query = url
    .slice(mark + 1)
    .split('&')
    .filter((pair) => pair.length > 0)
    .map((pair): [string, string] => {
      const eq = pair.indexOf('=');
      return eq < 0
        ? [decodeQueryPart(pair), '']
        : [decodeQueryPart(pair.slice(0, eq)), decodeQueryPart(pair.slice(eq + 1))];
    });
  return { path: url.slice(0, mark), query };
}

/** Header names lower-cased, array values joined with a comma, undefined values dropped. */
export function lowerCaseHeaders(headers: HeaderRecord): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out.set(name.toLowerCase(), Array.isArray(value) ? value.join(',') : String(value));
  }
  return out;
}

export function timingSafeEqualText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

/** `bytes` random bytes as hex, cut from a pooled buffer filled by the system CSPRNG. */
export function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    nodeCrypto().randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += bytes;
  return pool.toString('hex', poolOffset - bytes, poolOffset);
}
