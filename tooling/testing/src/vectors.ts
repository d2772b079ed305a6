import { readFileSync } from 'node:fs';
import { deepFreeze } from './freeze.js';

/** One request signed with ACS3-HMAC-SHA256: signing it again must give `headers.authorization`. */
export interface SignatureVector {
  readonly name: string;
  readonly source: string;
  readonly accessKeySecret: string;
  readonly method: string;
  /** Path and query exactly as sent on the wire. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface SignatureVectors {
  readonly note: string;
  readonly cases: readonly SignatureVector[];
}

/** `fixtures/vectors.json`, the signature vectors from the fact sheet. */
export const vectors: SignatureVectors = deepFreeze(
  JSON.parse(readFileSync(new URL('../fixtures/vectors.json', import.meta.url), 'utf8')),
);
