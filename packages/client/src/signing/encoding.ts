import type { BinaryLike, BinaryToTextEncoding } from 'node:crypto';
import { nodeCrypto } from '@fc-sessions/internals/builtins';
import type { HeaderRecord, HeaderValue } from './types.js';

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * SHA-256 in one call (`crypto.hash`, Node 20.12+): no Hash object per digest, the native object
 * and stream wrapper of `createHash` were most of a signature's cost and garbage.
 */
function sha256(data: BinaryLike, encoding: BinaryToTextEncoding): string {
  const crypto = nodeCrypto();
  return typeof crypto.hash === 'function'
    ? crypto.hash('sha256', data, encoding)
    : crypto.createHash('sha256').update(data).digest(encoding);
}

export function sha256Hex(body: string | Uint8Array | undefined): string {
  if (body === undefined || body.length === 0) return EMPTY_SHA256;
  return sha256(body, 'hex');
}

const BLOCK = 64;

/**
 * The last secret's HMAC pads (RFC 2104): a client signs, and a server verifies, with one key
 * nearly always. `inner` is the key XOR ipad followed by room for the message, `outer` the key
 * XOR opad followed by room for the inner digest. For a key of ASCII bytes both pads are ASCII
 * too, so `innerText` holds the inner pad as a string: the inner hash is then one call over
 * `innerText + text` (the UTF-8 of a concatenation is the concatenation of the UTF-8s), with no
 * write of the message into `inner`.
 */
let lastSecret: string | undefined;
let innerText: string | undefined;
let inner = Buffer.alloc(BLOCK);
const outer = Buffer.alloc(BLOCK + 32);

function usePads(secret: string): void {
  if (secret === lastSecret) return;
  let key = Buffer.from(secret, 'utf8');
  if (key.length > BLOCK) key = Buffer.from(sha256(key, 'hex'), 'hex');
  let ascii = true;
  for (let i = 0; i < BLOCK; i++) {
    const byte = key[i] ?? 0;
    if (byte > 0x7f) ascii = false;
    inner[i] = byte ^ 0x36;
    outer[i] = byte ^ 0x5c;
  }
  innerText = ascii ? inner.toString('latin1', 0, BLOCK) : undefined;
  lastSecret = secret;
}

/** HMAC-SHA256 of `text` (UTF-8) as two one-call hashes over the cached pads; same bytes as `createHmac`. */
export function hmacSha256(secret: string, text: string, encoding: BinaryToTextEncoding): string {
  usePads(secret);
  const innerDigest = innerText === undefined ? innerOverBuffer(text) : sha256(innerText + text, 'binary');
  for (let i = 0; i < 32; i++) outer[BLOCK + i] = innerDigest.charCodeAt(i);
  return sha256(outer, encoding);
}

/** The inner hash for a key with a non-ASCII byte: the message written after the pad's bytes. */
function innerOverBuffer(text: string): string {
  const length = BLOCK + Buffer.byteLength(text);
  if (length > inner.length) {
    const grown = Buffer.alloc(Math.max(length, inner.length * 2));
    inner.copy(grown, 0, 0, BLOCK);
    inner = grown;
  }
  inner.write(text, BLOCK, 'utf8');
  return sha256(inner.subarray(0, length), 'binary');
}

/** RFC 3986 encoding: `encodeURIComponent` plus `! ' ( ) *`. */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decodePart(part: string, strict: boolean): string {
  try {
    return decodeURIComponent(part);
  } catch (error) {
    if (strict) throw error;
    return part;
  }
}

function queryPairs(query: string, strict: boolean): Array<[string, string]> {
  return query
    .split('&')
    .filter((pair) => pair.length > 0)
    .map((pair): [string, string] => {
      const eq = pair.indexOf('=');
      return eq < 0
        ? [decodePart(pair, strict), '']
        : [decodePart(pair.slice(0, eq), strict), decodePart(pair.slice(eq + 1), strict)];
    });
}

/**
 * The `[name, value]` pairs of a raw query string (without `?`), percent-decoded exactly as the
 * signature decodes them (`+` stays a plus sign), or undefined when a part is not valid
 * percent-encoding. A server that reads its query with this reads what was signed.
 */
export function parseQuery(query: string): Array<[string, string]> | undefined {
  try {
    return queryPairs(query, true);
  } catch {
    return undefined;
  }
}

/** Splits `path?query` into the path and its decoded `[name, value]` pairs (a malformed part is kept as sent). */
export function splitUrl(url: string): { path: string; query: Array<[string, string]> } {
  const mark = url.indexOf('?');
  if (mark < 0) return { path: url, query: [] };
  return { path: url.slice(0, mark), query: queryPairs(url.slice(mark + 1), false) };
}

/** Header names lower-cased, array values joined with a comma, undefined values dropped. */
export function lowerCaseHeaders(headers: HeaderRecord): Map<string, string> {
  const out = new Map<string, string>();
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) out.set(name.toLowerCase(), headerText(value));
  }
  return out;
}

/** A header's value as signed: array values joined with a comma. */
export function headerText(value: Exclude<HeaderValue, undefined>): string {
  return typeof value === 'string' ? value : Array.isArray(value) ? value.join(',') : String(value);
}

/** One header of a record by its lower-case name, whatever case the record uses (the last one, as `lowerCaseHeaders` keeps). */
export function headerOf(headers: HeaderRecord, lowerName: string): string | undefined {
  let found: string | undefined;
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && name.toLowerCase() === lowerName) found = headerText(value);
  }
  return found;
}

export function timingSafeEqualText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

let hexPool = '';
let hexOffset = 0;

/**
 * `bytes` random bytes from the system CSPRNG as hex, cut from 4 KiB turned into hex at once: a
 * nonce or an id is a slice of that text, with no call into node:crypto or a Buffer per value.
 */
export function randomHex(bytes: number): string {
  const length = bytes * 2;
  if (hexOffset + length > hexPool.length) {
    hexPool = nodeCrypto().randomBytes(Math.max(4096, bytes)).toString('hex');
    hexOffset = 0;
  }
  hexOffset += length;
  return hexPool.slice(hexOffset - length, hexOffset);
}
