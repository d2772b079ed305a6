import type * as Crypto from 'node:crypto';
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import { createRequire } from 'node:module';
import type * as Os from 'node:os';

let required: NodeJS.Require | undefined;

/**
 * A Node built-in, for code that loads one on first use (`node:crypto` or `node:http` cost about
 * as much to load as a whole small client): through `process.getBuiltinModule` (Node 20.16+),
 * else a `require` made once from this file's URL. Not `import()`: a dynamic import starts Node's
 * ESM loader in a CommonJS process (such as a bundled CLI), which costs more than the module.
 */
export function loadBuiltin(id: string): unknown {
  if (typeof process.getBuiltinModule === 'function') return process.getBuiltinModule(id);
  required ??= createRequire(import.meta.url);
  return required(id);
}

let crypto: typeof Crypto | undefined;
let http: typeof Http | undefined;
let https: typeof Https | undefined;
let os: typeof Os | undefined;

/** `node:crypto`, loaded on first call. */
export const nodeCrypto = (): typeof Crypto => (crypto ??= loadBuiltin('node:crypto') as typeof Crypto);
/** `node:http`, loaded on first call. */
export const nodeHttp = (): typeof Http => (http ??= loadBuiltin('node:http') as typeof Http);
/** `node:https` (which pulls TLS in), loaded on first call. */
export const nodeHttps = (): typeof Https => (https ??= loadBuiltin('node:https') as typeof Https);
/** `node:os`, loaded on first call. */
export const nodeOs = (): typeof Os => (os ??= loadBuiltin('node:os') as typeof Os);
