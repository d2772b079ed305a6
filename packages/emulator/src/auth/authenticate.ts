import { type VerifyResult, verifyFc2Request, verifyRequest } from '@fc-sessions/client/signing';
import { ApiError } from '../errors.js';
import type { ApiRequest } from '../http/api-request.js';
import type { KeyRing } from './key-ring.js';

function outcome(result: VerifyResult, keys: KeyRing): void {
  if (!result.ok) throw new ApiError(result.code === 'MissingRequiredHeader' ? 400 : 403, result.code, result.message);
  const problem = keys.tokenProblem(result.accessKeyId, result.securityToken);
  if (problem) throw new ApiError(403, problem.code, problem.message);
}

/** FC 3.0: ACS3-HMAC-SHA256 over the request as sent, the clock within `maxSkewSeconds`, a nonce never seen before. */
export function authenticateAcs3(
  request: ApiRequest,
  keys: KeyRing,
  maxSkewSeconds: number,
  acceptNonce: (nonce: string) => boolean,
): void {
  const signable = { method: request.method, url: request.url, headers: request.headers, body: request.body };
  outcome(verifyRequest(signable, keys.secretOf, { maxSkewSeconds, acceptNonce }), keys);
}

/** FC 2.0: `Authorization: FC <id>:<signature>` over the method, Content-MD5, Content-Type, Date, `x-fc-*` headers and resource. */
export function authenticateFc2(request: ApiRequest, keys: KeyRing, maxSkewSeconds: number): void {
  const signable = { method: request.method, url: request.url, headers: request.headers, body: request.body };
  outcome(verifyFc2Request(signable, keys.secretOf, { maxSkewSeconds }), keys);
}
