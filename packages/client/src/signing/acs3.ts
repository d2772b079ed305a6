import {
  headerOf,
  headerText,
  hmacSha256,
  lowerCaseHeaders,
  randomHex,
  rfc3986,
  sha256Hex,
  splitUrl,
  timingSafeEqualText,
} from './encoding.js';
import type {
  Credentials,
  HeaderRecord,
  SecretLookup,
  SignableRequest,
  SignOptions,
  VerifyOptions,
  VerifyResult,
} from './types.js';

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';
const DEFAULT_MAX_SKEW_SECONDS = 900;

/** `name=value` pairs, both RFC 3986-encoded, sorted by name then value, joined by `&`. */
export function canonicalQuery(query: ReadonlyArray<readonly [string, string]>): string {
  return query
    .map(([name, value]) => [rfc3986(name), rfc3986(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

const isSigned = (name: string) => name === 'host' || name === 'content-type' || name.startsWith('x-acs-');

/** Which headers ACS3 signs: `host`, `content-type` and every `x-acs-*`, sorted. */
export function headersToSign(headers: ReadonlyMap<string, string>): string[] {
  const signed: string[] = [];
  for (const name of headers.keys()) if (isSigned(name)) signed.push(name);
  return signed.sort();
}

export function canonicalHeaders(headers: ReadonlyMap<string, string>, signed: readonly string[]): string {
  let text = '';
  for (const name of signed) text += `${name}:${(headers.get(name) ?? '').trim()}\n`;
  return text;
}

export function canonicalRequest(
  method: string,
  url: string,
  headers: ReadonlyMap<string, string>,
  signed: readonly string[],
  contentSha256: string,
): string {
  return canonicalText(method, url, canonicalHeaders(headers, signed), signed.join(';'), contentSha256);
}

function canonicalText(method: string, url: string, headerLines: string, signedList: string, contentSha256: string) {
  const mark = url.indexOf('?');
  const path = mark < 0 ? url : url.slice(0, mark);
  const query = mark < 0 ? '' : canonicalQuery(splitUrl(url).query);
  return `${method.toUpperCase()}\n${path}\n${query}\n${headerLines}\n${signedList}\n${contentSha256}`;
}

export function stringToSign(canonical: string): string {
  return `${ACS3_ALGORITHM}\n${sha256Hex(canonical)}`;
}

export function signature(accessKeySecret: string, toSign: string): string {
  return hmacSha256(accessKeySecret, toSign, 'hex');
}

/** `YYYY-MM-DDTHH:mm:ssZ` in UTC. */
export function acsDate(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

let dateSecond = Number.NaN;
let dateText = '';

/** `acsDate` of now, made once per second. */
function currentAcsDate(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== dateSecond) {
    dateText = acsDate(new Date(second * 1000));
    dateSecond = second;
  }
  return dateText;
}

/**
 * Signs a request with ACS3-HMAC-SHA256. The request's own headers should already hold `host`,
 * `x-acs-action`, `x-acs-version` and `content-type` when there is a body. Returns the headers to
 * add: `x-acs-date`, `x-acs-signature-nonce`, `x-acs-content-sha256`, for STS keys
 * `x-acs-accesskey-id` and `x-acs-security-token`, and `authorization`.
 */
export function signRequest(
  request: SignableRequest,
  credentials: Credentials,
  options: SignOptions = {},
): Record<string, string> {
  const contentSha256 = sha256Hex(request.body);
  const date = options.date ? acsDate(options.date) : currentAcsDate();
  const nonce = options.nonce ?? randomHex(16);
  const token = credentials.securityToken;
  // The signed headers, kept sorted by name as they are collected: the request's own (lower-cased), then the added ones over them.
  const names: string[] = [];
  const values: string[] = [];
  for (const name in request.headers) {
    const value = request.headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (isSigned(lower)) putSorted(names, values, lower, headerText(value));
  }
  putSorted(names, values, 'x-acs-date', date);
  putSorted(names, values, 'x-acs-signature-nonce', nonce);
  putSorted(names, values, 'x-acs-content-sha256', contentSha256);
  if (token) {
    putSorted(names, values, 'x-acs-accesskey-id', credentials.accessKeyId);
    putSorted(names, values, 'x-acs-security-token', token);
  }
  // The canonical header lines and the signed-header list in one pass.
  let headerLines = '';
  let signedList = '';
  for (let i = 0; i < names.length; i++) {
    headerLines += `${names[i]}:${values[i]!.trim()}\n`;
    signedList += i === 0 ? names[i] : `;${names[i]}`;
  }
  const canonical = canonicalText(request.method, request.url, headerLines, signedList, contentSha256);
  const authorization = `${ACS3_ALGORITHM} Credential=${credentials.accessKeyId},SignedHeaders=${signedList},Signature=${signature(credentials.accessKeySecret, stringToSign(canonical))}`;
  return token
    ? {
        'x-acs-date': date,
        'x-acs-signature-nonce': nonce,
        'x-acs-content-sha256': contentSha256,
        'x-acs-accesskey-id': credentials.accessKeyId,
        'x-acs-security-token': token,
        authorization,
      }
    : { 'x-acs-date': date, 'x-acs-signature-nonce': nonce, 'x-acs-content-sha256': contentSha256, authorization };
}

/** Inserts (or replaces) `name` in the sorted `names`, its value at the same index: a request signs a handful. */
function putSorted(names: string[], values: string[], name: string, value: string): void {
  let i = names.length;
  while (i > 0 && names[i - 1]! > name) i--;
  if (i > 0 && names[i - 1] === name) {
    values[i - 1] = value;
    return;
  }
  for (let j = names.length; j > i; j--) {
    names[j] = names[j - 1]!;
    values[j] = values[j - 1]!;
  }
  names[i] = name;
  values[i] = value;
}

interface ParsedAuthorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

const AUTHORIZATION_PREFIX = `${ACS3_ALGORITHM} `;

/** `Credential`, `SignedHeaders` and `Signature` of an ACS3 authorization header (the last of each counts). */
export function parseAuthorization(value: string): ParsedAuthorization | undefined {
  if (!value.startsWith(AUTHORIZATION_PREFIX)) return undefined;
  let accessKeyId: string | undefined;
  let signedHeaders: string | undefined;
  let sig: string | undefined;
  for (const part of value.slice(AUTHORIZATION_PREFIX.length).split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (name === 'Credential') accessKeyId = part.slice(eq + 1).trim();
    else if (name === 'SignedHeaders') signedHeaders = part.slice(eq + 1).trim();
    else if (name === 'Signature') sig = part.slice(eq + 1).trim();
  }
  if (!accessKeyId || !signedHeaders || !sig) return undefined;
  return { accessKeyId, signedHeaders: signedHeaders.split(';'), signature: sig };
}

type VerifyFailure = Extract<VerifyResult, { ok: false }>;

/** `headers` itself when every name is lower-case already (as node:http gives them), else a lower-cased copy. */
function lowerCaseRecord(headers: HeaderRecord): HeaderRecord {
  for (const name in headers) if (name !== name.toLowerCase()) return Object.fromEntries(lowerCaseHeaders(headers));
  return headers;
}

/** A header of a lower-case record as it is signed; undefined when absent (an inherited property is absent). */
function signedValue(headers: HeaderRecord, name: string): string | undefined {
  const value = Object.hasOwn(headers, name) ? headers[name] : undefined;
  return value === undefined ? undefined : headerText(value);
}

let lastDateText = '';
let lastDateMs = Number.NaN;

/** `Date.parse` of an `x-acs-date`, remembered for the last text (it changes once a second). */
function parseAcsDate(text: string): number {
  if (text !== lastDateText) {
    lastDateMs = Date.parse(text);
    lastDateText = text;
  }
  return lastDateMs;
}

const fail = (code: VerifyFailure['code'], message: string): VerifyFailure => ({ ok: false, code, message });

/**
 * The part of `verifyRequest` that needs no body, for a server to run before it reads one: the
 * authorization header, the key, that `host` and every `x-acs-*` header are signed, the signature
 * (it covers the declared `x-acs-content-sha256`), the date within `maxSkewSeconds` and (with
 * `acceptNonce`) that the nonce is new. `verifyRequestBody` then checks the body against the
 * declared hash.
 */
export function verifyRequestHeaders(
  request: Omit<SignableRequest, 'body'>,
  lookupSecret: SecretLookup,
  options: VerifyOptions = {},
): VerifyResult {
  const headers = lowerCaseRecord(request.headers);
  const authorization = signedValue(headers, 'authorization');
  if (!authorization) return fail('MissingAuthorization', 'The request has no authorization header.');
  const parsed = parseAuthorization(authorization);
  if (!parsed)
    return fail(
      'InvalidAuthorization',
      `The authorization header is not of the form "${ACS3_ALGORITHM} Credential=...,SignedHeaders=...,Signature=...".`,
    );

  const secret = lookupSecret(parsed.accessKeyId);
  if (secret === undefined) return fail('InvalidAccessKeyID', 'The access key id is not known.');

  const date = signedValue(headers, 'x-acs-date');
  const declaredHash = signedValue(headers, 'x-acs-content-sha256');
  const missing =
    signedValue(headers, 'host') === undefined
      ? 'host'
      : date === undefined
        ? 'x-acs-date'
        : declaredHash === undefined
          ? 'x-acs-content-sha256'
          : undefined;
  if (missing) return fail('MissingRequiredHeader', `The request has no ${missing} header.`);
  const { signedHeaders } = parsed;
  let unsigned = '';
  for (const name in headers) {
    if (headers[name] === undefined || !(name === 'host' || name.startsWith('x-acs-'))) continue;
    if (!signedHeaders.includes(name)) unsigned += unsigned === '' ? name : `, ${name}`;
  }
  if (unsigned !== '') return fail('SignatureNotMatch', `These headers must be signed: ${unsigned}.`);

  let headerLines = '';
  for (const name of signedHeaders) headerLines += `${name}:${(signedValue(headers, name) ?? '').trim()}\n`;
  const canonical = canonicalText(
    request.method,
    request.url,
    headerLines,
    signedHeaders.join(';'),
    declaredHash ?? '',
  );
  if (!timingSafeEqualText(signature(secret, stringToSign(canonical)), parsed.signature)) {
    return fail('SignatureNotMatch', 'The request signature does not match the signature computed with the secret.');
  }

  const sent = parseAcsDate(date ?? '');
  const now = options.now ? options.now.getTime() : Date.now();
  const maxSkew = options.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS;
  if (Number.isNaN(sent) || Math.abs(now - sent) > maxSkew * 1000) {
    return fail('InvalidTimeStamp.Expired', `x-acs-date must be within ${maxSkew} seconds of the server time.`);
  }
  const nonce = signedValue(headers, 'x-acs-signature-nonce');
  if (options.acceptNonce && (!nonce || !options.acceptNonce(nonce))) {
    return fail('SignatureNonceUsed', 'The x-acs-signature-nonce was used before.');
  }
  const securityToken = signedValue(headers, 'x-acs-security-token');
  return { ok: true, accessKeyId: parsed.accessKeyId, ...(securityToken ? { securityToken } : {}) };
}

/** The body's SHA-256 against the `x-acs-content-sha256` the signature covers; undefined when they match. */
export function verifyRequestBody(request: Pick<SignableRequest, 'headers' | 'body'>): VerifyFailure | undefined {
  if (headerOf(request.headers, 'x-acs-content-sha256') === sha256Hex(request.body)) return undefined;
  return fail('SignatureNotMatch', 'x-acs-content-sha256 does not match the body.');
}

/**
 * Verifies an ACS3-HMAC-SHA256 request: `verifyRequestHeaders` (signature over exactly the headers
 * it lists, `host` and every `x-acs-*` header signed, the date, the nonce), then the body hash.
 */
export function verifyRequest(
  request: SignableRequest,
  lookupSecret: SecretLookup,
  options: VerifyOptions = {},
): VerifyResult {
  const result = verifyRequestHeaders(request, lookupSecret, options);
  return result.ok ? (verifyRequestBody(request) ?? result) : result;
}

/**
 * Refuses a nonce seen within the last `ttlSeconds` (default: twice the 15-minute skew window, so
 * a replay is caught for as long as its date is accepted). Forgetting is by time only, never by
 * count: nonces live in two generations that rotate every `ttlSeconds`, so each is remembered for
 * between one and two `ttlSeconds` and memory grows with the request rate times that window.
 * `now` is the clock (tests pass their own).
 */
export function createNonceCache(
  ttlSeconds = DEFAULT_MAX_SKEW_SECONDS * 2,
  now: () => number = Date.now,
): (nonce: string) => boolean {
  let current = new Set<string>();
  let previous = new Set<string>();
  let rotatedAt = now();
  return (nonce) => {
    const time = now();
    if (time - rotatedAt >= ttlSeconds * 1000) {
      previous = current;
      current = new Set();
      rotatedAt = time;
    }
    if (current.has(nonce) || previous.has(nonce)) return false;
    current.add(nonce);
    return true;
  };
}
