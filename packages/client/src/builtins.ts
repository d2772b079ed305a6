import type * as Crypto from 'node:crypto';
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import { createRequire } from 'node:module';
import type * as Os from 'node:os';

/**
 * Node built-ins loaded on first use: `node:http` and `node:crypto` cost about as much to load as
 * the whole client, and `node:https` pulls TLS in, so a process pays for them only when it first
 * sends, signs or calls an https endpoint. Through `process.getBuiltinModule` (Node 20.16+), else
 * a `require` made once from this file's URL; not `import()`: a dynamic import starts Node's ESM
 * loader in a CommonJS process (such as a bundled CLI), which costs more than the module.
 */
let required: NodeJS.Require | undefined;
function load(id: string): unknown {
  if (typeof process.getBuiltinModule === 'function') return process.getBuiltinModule(id);
  required ??= createRequire(import.meta.url);
  return required(id);
}
let crypto: typeof Crypto | undefined;
let http: typeof Http | undefined;
let https: typeof Https | undefined;
let os: typeof Os | undefined;

export const nodeCrypto = (): typeof Crypto => (crypto ??= load('node:crypto') as typeof Crypto);
export const nodeHttp = (): typeof Http => (http ??= load('node:http') as typeof Http);
export const nodeHttps = (): typeof Https => (https ??= load('node:https') as typeof Https);
export const nodeOs = (): typeof Os => (os ??= load('node:os') as typeof Os);
