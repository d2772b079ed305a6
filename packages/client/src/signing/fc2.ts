import { nodeCrypto } from '@fc-sessions/internals/builtins';
import { hmacSha256, lowerCaseHeaders, splitUrl, timingSafeEqualText } from './encoding.js';
import type { Credentials, SecretLookup, SignableRequest, SignOptions, VerifyOptions, VerifyResult } from './types.js';

const DEFAULT_MAX_SKEW_SECONDS = 900;

/** FC 2.0's Content-MD5: base64 of the body's md5 written as hex text (the official SDK's quirk). */
export function fc2ContentMd5(body: string | Uint8Array | undefined): string {
  if (body === undefined || body.length === 0) return '';
  return Buffer.from(nodeCrypto().createHash('md5').update(body).digest('hex')).toString('base64');
}

/** Every `x-fc-*` header, lower-cased and sorted, as `name:value\n`. */
export function fc2CanonicalHeaders(headers: ReadonlyMap<string, string>): string {
  return [...headers.keys()]
    .filter((name) => name.startsWith('x-fc-'))
    .sort()
    .map((name) => `${name}:${headers.get(name)}\n`)
    .join('');
}

/** `/<version>/proxy/...`: an HTTP-trigger path, the one shape whose query is signed. */
const PROXY_PATH = /^\/[^/]+\/proxy\//;

/**
 * The decoded path. For an HTTP-trigger (`/proxy/`) path, a newline and then each query pair
 * `name=value` on its own line, sorted: the newline is there even when the query is empty. Every
 * other (API) path is signed alone, query or not, as FC and `@alicloud/fc2` do.
 */
export function fc2CanonicalResource(url: string): string {
  const { path, query } = splitUrl(url);
  let decodedPath: string;
  try {
    decodedPath = decodeURIComponent(path);
  } catch {
    decodedPath = path;
  }
  if (!PROXY_PATH.test(decodedPath)) return decodedPath;
  const lines = query.map(([name, value]) => `${name}=${value}`).sort();
  return `${decodedPath}\n${lines.join('\n')}`;
}

export function fc2StringToSign(method: string, url: string, headers: ReadonlyMap<string, string>): string {
  return [
    method.toUpperCase(),
    headers.get('content-md5') ?? '',
    headers.get('content-type') ?? '',
    headers.get('date') ?? '',
    fc2CanonicalHeaders(headers) + fc2CanonicalResource(url),
  ].join('\n');
}

/**
 * Signs an FC 2.0 (`/2016-08-15/...`) request. Returns the headers to add: `date`, `content-md5`
 * (when there is a body), `x-fc-security-token` for STS keys, and `authorization: FC <id>:<sig>`.
 * Every `x-fc-*` header in the request (such as `x-fc-account-id`) is signed.
 */
export function signFc2Request(
  request: SignableRequest,
  credentials: Credentials,
  options: Pick<SignOptions, 'date'> = {},
): Record<string, string> {
  const added: Record<string, string> = { date: (options.date ?? new Date()).toUTCString() };
  const md5 = fc2ContentMd5(request.body);
  if (md5) added['content-md5'] = md5;
  if (credentials.securityToken) added['x-fc-security-token'] = credentials.securityToken;
  const headers = lowerCaseHeaders({ ...request.headers, ...added });
  const sig = hmacSha256(credentials.accessKeySecret, fc2StringToSign(request.method, request.url, headers), 'base64');
  added['authorization'] = `FC ${credentials.accessKeyId}:${sig}`;
  return added;
}

type VerifyFailure = Extract<VerifyResult, { ok: false }>;

/**
 * The part of `verifyFc2Request` that needs no body, for a server to run before it reads one:
 * the `FC <id>:<sig>` authorization, the key, the signature (it covers the declared Content-MD5)
 * and the date. `verifyFc2RequestBody` then checks the body against Content-MD5.
 */
export function verifyFc2RequestHeaders(
  request: Omit<SignableRequest, 'body'>,
  lookupSecret: SecretLookup,
  options: Omit<VerifyOptions, 'acceptNonce'> = {},
): VerifyResult {
  const headers = lowerCaseHeaders(request.headers);
  const authorization = headers.get('authorization');
  if (!authorization)
    return { ok: false, code: 'MissingAuthorization', message: 'The request has no authorization header.' };
  const match = /^FC ([^:\s]+):(\S+)$/.exec(authorization);
  if (!match) {
    return {
      ok: false,
      code: 'InvalidAuthorization',
      message: 'The authorization header is not of the form "FC <AccessKeyId>:<Signature>".',
    };
  }
  const [, accessKeyId = '', sent = ''] = match;
  const secret = lookupSecret(accessKeyId);
  if (secret === undefined)
    return { ok: false, code: 'InvalidAccessKeyID', message: 'The access key id is not known.' };
  if (!headers.has('date'))
    return { ok: false, code: 'MissingRequiredHeader', message: 'The request has no date header.' };
  const expected = hmacSha256(secret, fc2StringToSign(request.method, request.url, headers), 'base64');
  if (!timingSafeEqualText(expected, sent)) {
    return {
      ok: false,
      code: 'SignatureNotMatch',
      message: 'The request signature does not match the signature computed with the secret.',
    };
  }
  const date = Date.parse(headers.get('date') ?? '');
  const now = (options.now ?? new Date()).getTime();
  const maxSkew = options.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS;
  if (Number.isNaN(date) || Math.abs(now - date) > maxSkew * 1000) {
    return {
      ok: false,
      code: 'InvalidTimeStamp.Expired',
      message: `date must be within ${maxSkew} seconds of the server time.`,
    };
  }
  const securityToken = headers.get('x-fc-security-token');
  return { ok: true, accessKeyId, ...(securityToken ? { securityToken } : {}) };
}

/** The body against the Content-MD5 the signature covers; undefined when they match. */
export function verifyFc2RequestBody(request: Pick<SignableRequest, 'headers' | 'body'>): VerifyFailure | undefined {
  if ((lowerCaseHeaders(request.headers).get('content-md5') ?? '') === fc2ContentMd5(request.body)) return undefined;
  return { ok: false, code: 'SignatureNotMatch', message: 'content-md5 does not match the body.' };
}

/** Verifies an FC 2.0 request's `FC <id>:<sig>` authorization, its date and its Content-MD5. */
export function verifyFc2Request(
  request: SignableRequest,
  lookupSecret: SecretLookup,
  options: Omit<VerifyOptions, 'acceptNonce'> = {},
): VerifyResult {
  const result = verifyFc2RequestHeaders(request, lookupSecret, options);
  return result.ok ? (verifyFc2RequestBody(request) ?? result) : result;
}
