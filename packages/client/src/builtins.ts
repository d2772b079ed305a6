import type * as Crypto from 'node:crypto';
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import type * as Os from 'node:os';
import { loadBuiltin } from '@fc-sessions/internals/builtins';

/**
 * Node built-ins loaded on first use: `node:http` and `node:crypto` cost about as much to load as
 * the whole client, and `node:https` pulls TLS in, so a process pays for them only when it first
 * sends, signs or calls an https endpoint.
 */
let crypto: typeof Crypto | undefined;
let http: typeof Http | undefined;
let https: typeof Https | undefined;
let os: typeof Os | undefined;

export const nodeCrypto = (): typeof Crypto => (crypto ??= loadBuiltin('node:crypto') as typeof Crypto);
export const nodeHttp = (): typeof Http => (http ??= loadBuiltin('node:http') as typeof Http);
export const nodeHttps = (): typeof Https => (https ??= loadBuiltin('node:https') as typeof Https);
export const nodeOs = (): typeof Os => (os ??= loadBuiltin('node:os') as typeof Os);
