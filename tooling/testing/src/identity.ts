/** The fake identity every fixture shares, so a value read through any front door can be compared with one constant. */

export const ACCOUNT_ID = '1234567890123456';
export const REGION = 'cn-hangzhou';
export const FUNCTION_NAME = 'cart-service';
export const FUNCTION_HANDLER = 'index.handler';
export const MEMORY_MB = 512;
export const TIMEOUT_SECONDS = 60;
export const INSTANCE_ID = 'c-6745e79f-1a2b3c4d-5e6f7a8b9c0d';
export const LOG_PROJECT = 'fcs-log-project';
export const LOG_STORE = 'fcs-log-store';

/** `1-<hex unix seconds>-<8 hex>-<12 hex>`, as FC 3.0 writes request ids. */
export const REQUEST_ID = '1-6745e7a1-3c5f1b2d-8e9a0b1c2d3e';
export const FC2_REQUEST_ID = '1-6745e7b3-0d4e5f6a-7b8c9d0e1f2a';

/** A HEADER_FIELD session: the affinity header name and an FC-style generated id (32 lower-hex). */
export const SESSION = Object.freeze({ header: 'x-session-id', id: '5f0c9a7e3b2d4c1a8e6f7b9d0a1c2e3f' });

export const SPAN_CONTEXT = '124ed43254b54966:124ed43254b54966:0:1';
/** base64 of `{"x-b3-sampled":"1","tenant":"acme"}`, the way FC passes span baggage. */
export const SPAN_BAGGAGES = 'eyJ4LWIzLXNhbXBsZWQiOiIxIiwidGVuYW50IjoiYWNtZSJ9';

/**
 * Fake STS credentials. Long on purpose (tools such as `s` mask a secret's literal text, which only
 * works for text that cannot occur by chance) and never valid anywhere.
 */
export const FAKE_CREDENTIALS = Object.freeze({
  accessKeyId: 'STS.NTfcsFakeAccessKeyIdDoNotUse0001',
  accessKeySecret: 'fcsFakeAccessKeySecretDoNotUseInTestsOrProd0001',
  securityToken: `CAIS${'FcsFakeStsSecurityTokenNeverValid'.repeat(8)}0001`,
});
