import {
  type VerifyResult,
  verifyFc2RequestBody,
  verifyFc2RequestHeaders,
  verifyRequestBody,
  verifyRequestHeaders,
} from '@fc-sessions/client/signing';
import { ApiError } from '../errors.js';
import type { ApiRequest } from '../http/api-request.js';
import type { KeyRing } from './key-ring.js';

function outcome(result: VerifyResult, keys: KeyRing): void {
  if (!result.ok) throw new ApiError(result.code === 'MissingRequiredHeader' ? 400 : 403, result.code, result.message);
  const problem = keys.tokenProblem(result.accessKeyId, result.securityToken);
  if (problem) throw new ApiError(403, problem.code, problem.message);
}

/**
 * FC 3.0, before the body is read: ACS3-HMAC-SHA256 over the request as sent (covering the
 * declared body hash), the clock within `maxSkewSeconds`, a nonce never seen before.
 */
export function authenticateAcs3(
  request: ApiRequest,
  keys: KeyRing,
  maxSkewSeconds: number,
  acceptNonce: (nonce: string) => boolean,
): void {
  const signable = { method: request.method, url: request.url, headers: request.headers };
  outcome(verifyRequestHeaders(signable, keys.secretOf, { maxSkewSeconds, acceptNonce }), keys);
}

/** FC 2.0, before the body is read: `Authorization: FC <id>:<signature>` over the method, Content-MD5, Content-Type, Date, `x-fc-*` headers and resource. */
export function authenticateFc2(request: ApiRequest, keys: KeyRing, maxSkewSeconds: number): void {
  const signable = { method: request.method, url: request.url, headers: request.headers };
  outcome(verifyFc2RequestHeaders(signable, keys.secretOf, { maxSkewSeconds }), keys);
}

/** Once the body is in: it must be the one the signature declared (hash or Content-MD5). */
export function checkSignedBody(request: ApiRequest, style: 'acs3' | 'fc2'): void {
  const problem = (style === 'acs3' ? verifyRequestBody : verifyFc2RequestBody)(request);
  if (problem) throw new ApiError(403, problem.code, problem.message);
}
