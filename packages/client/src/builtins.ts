import type * as Crypto from 'node:crypto';
import type * as FsPromises from 'node:fs/promises';
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import { createRequire } from 'node:module';
import type * as Os from 'node:os';

/**
 * Node built-ins loaded on first use: `node:http` and `node:crypto` cost about as much to load as
 * the whole client, and `node:https` pulls TLS in, so a process pays for them only when it first
 * sends, signs or calls an https endpoint; the files of the credential chain are read with
 * `node:fs/promises` only when it runs. `require` rather than `import()`: a dynamic import starts
 * Node's ESM loader in a CommonJS process (such as a bundled CLI), which costs more than the module.
 */
const load = createRequire(import.meta.url);
let crypto: typeof Crypto | undefined;
let http: typeof Http | undefined;
let https: typeof Https | undefined;
let fsPromises: typeof FsPromises | undefined;
let os: typeof Os | undefined;

export const nodeCrypto = (): typeof Crypto => (crypto ??= load('node:crypto') as typeof Crypto);
export const nodeHttp = (): typeof Http => (http ??= load('node:http') as typeof Http);
export const nodeHttps = (): typeof Https => (https ??= load('node:https') as typeof Https);
export const nodeFsPromises = (): typeof FsPromises => (fsPromises ??= load('node:fs/promises') as typeof FsPromises);
export const nodeOs = (): typeof Os => (os ??= load('node:os') as typeof Os);
