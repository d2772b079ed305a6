export {
  ACS3_ALGORITHM,
  acsDate,
  canonicalHeaders,
  canonicalQuery,
  canonicalRequest,
  createNonceCache,
  headersToSign,
  parseAuthorization,
  signature,
  signRequest,
  stringToSign,
  verifyRequest,
  verifyRequestBody,
  verifyRequestHeaders,
} from './acs3.js';
export { EMPTY_SHA256, parseQuery, rfc3986, sha256Hex } from './encoding.js';
export {
  fc2CanonicalHeaders,
  fc2CanonicalResource,
  fc2ContentMd5,
  fc2StringToSign,
  signFc2Request,
  verifyFc2Request,
  verifyFc2RequestBody,
  verifyFc2RequestHeaders,
} from './fc2.js';
export type {
  Credentials,
  HeaderRecord,
  HeaderValue,
  SecretLookup,
  SignableRequest,
  SignOptions,
  VerifyErrorCode,
  VerifyOptions,
  VerifyResult,
} from './types.js';
