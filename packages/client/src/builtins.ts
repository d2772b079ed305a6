import type * as Crypto from 'node:crypto';
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import { createRequire } from 'node:module';

/**
 * Node built-ins loaded on first use: `node:http` and `node:crypto` cost about as much to load as
 * the whole client, and `node:https` pulls TLS in, so a process pays for them only when it first
 * sends, signs or calls an https endpoint.
 */
const load = createRequire(import.meta.url);
let crypto: typeof Crypto | undefined;
let http: typeof Http | undefined;
let https: typeof Https | undefined;

export const nodeCrypto = (): typeof Crypto => (crypto ??= load('node:crypto') as typeof Crypto);
export const nodeHttp = (): typeof Http => (http ??= load('node:http') as typeof Http);
export const nodeHttps = (): typeof Https => (https ??= load('node:https') as typeof Https);
