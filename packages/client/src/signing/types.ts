/** Access keys; `securityToken` is present for STS (temporary) credentials. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}

export type HeaderValue = string | readonly string[] | number | undefined;
export type HeaderRecord = Readonly<Record<string, HeaderValue>>;

/** A request as it goes on the wire: `url` is the path and query exactly as sent. */
export interface SignableRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: HeaderRecord;
  readonly body?: string | Uint8Array | undefined;
}

export interface SignOptions {
  /** Signing time; defaults to now. */
  readonly date?: Date;
  /** `x-acs-signature-nonce`; defaults to 16 random bytes in hex. */
  readonly nonce?: string;
}

/** Returns the secret of an access key id, or undefined when the key is unknown. */
export type SecretLookup = (accessKeyId: string) => string | undefined;

export interface VerifyOptions {
  /** The verifier's clock; defaults to now. */
  readonly now?: Date;
  /** Largest accepted distance between the request's date and `now`; default 900 (15 minutes). */
  readonly maxSkewSeconds?: number;
  /**
   * Called with each valid request's nonce; return false when it was seen before so the request
   * is rejected as a replay. `createNonceCache()` gives one that remembers nonces for the skew window.
   */
  readonly acceptNonce?: (nonce: string) => boolean;
}

export type VerifyResult =
  | { readonly ok: true; readonly accessKeyId: string; readonly securityToken?: string | undefined }
  | { readonly ok: false; readonly code: VerifyErrorCode; readonly message: string };

export type VerifyErrorCode =
  | 'MissingAuthorization'
  | 'InvalidAuthorization'
  | 'InvalidAccessKeyID'
  | 'SignatureNotMatch'
  | 'InvalidTimeStamp.Expired'
  | 'SignatureNonceUsed'
  | 'MissingRequiredHeader';
