import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

type Env = Readonly<Record<string, string | undefined>>;
type Main = (argv: readonly string[]) => Promise<number>;

/** How a cache file starts: the SHA-256 of the V8 data after it, so a damaged file is never used. */
const DIGEST_BYTES = 32;

/** `$XDG_CACHE_HOME/fc-sessions` (else `~/.cache`, `%LOCALAPPDATA%`); none when `FCS_CODE_CACHE=0`. */
export function codeCacheDir(env: Env): string | undefined {
  if (env['FCS_CODE_CACHE'] === '0') return undefined;
  const base = env['XDG_CACHE_HOME'] || env['LOCALAPPDATA'] || (env['HOME'] ? join(env['HOME'], '.cache') : undefined);
  return base ? join(base, 'fc-sessions') : undefined;
}

function digest(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

function readCache(file: string): Buffer | undefined {
  try {
    const content = readFileSync(file);
    const data = content.subarray(DIGEST_BYTES);
    return content.length > DIGEST_BYTES && digest(data).equals(content.subarray(0, DIGEST_BYTES)) ? data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the cache through a temporary file and a rename (a reader sees all of it or none), then
 * drops the stale caches and the temporary files of runs killed while writing.
 */
function writeCache(script: Script, dir: string, file: string, stale: (name: string) => boolean): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const data = script.createCachedData();
    writeFileSync(temporary, Buffer.concat([digest(data), data]), { mode: 0o600 });
    renameSync(temporary, file);
    for (const name of readdirSync(dir)) if (stale(name)) rmSync(join(dir, name), { force: true });
  } catch {
    rmSync(temporary, { force: true });
  }
}

/**
 * Runs `main` of the bundled `fcs` (`bundle`, a CommonJS file) with `argv`. The bundle is compiled
 * with a V8 code cache kept per bundle content and per command (`fcs-<hash>-invoke.v8`): V8 then
 * skips parsing and compiling the functions the command ran last time. A missing, damaged or
 * rejected cache (other Node.js, other V8 flags) only means the bundle is compiled as usual, and the
 * cache is written again once the command has run. Without a cache folder it is `require`d. The
 * bundle has no `import()` (a script compiled by `vm` could not run one without Node.js's
 * experimental flags): scripts/bundle-cli.mjs turns them into `require`.
 */
export function startCli(bundle: string, argv: readonly string[], env: Env = process.env): Promise<number> {
  const dir = codeCacheDir(env);
  const load = createRequire(bundle);
  if (dir === undefined) return (load(bundle) as { main: Main }).main(argv);
  const source = readFileSync(bundle, 'utf8');
  const key = createHash('sha256').update(process.version).update(source).digest('hex').slice(0, 16);
  const command = /^[a-z]{1,20}$/.test(argv[0] ?? '') ? argv[0] : 'other';
  const file = join(dir, `fcs-${key}-${command}.v8`);
  const cached = readCache(file);
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n});`, {
    filename: bundle,
    ...(cached ? { cachedData: cached } : {}),
  });
  const module = { exports: {} as { main: Main } };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper(module.exports, load, module, bundle, dirname(bundle));
  const run = module.exports.main(argv);
  if (cached && !script.cachedDataRejected) return run;
  const stale = (name: string) =>
    name.startsWith('fcs-') && (name.endsWith('.tmp') || (name.endsWith(`-${command}.v8`) && !name.includes(key)));
  return run.finally(() => writeCache(script, dir, file, stale));
}
