// What a user gets from `npm install @fc-sessions/plugin`: the four packages packed as pnpm
// publishes them (workspace:* rewritten to versions), installed with npm into an empty folder
// with their dependencies from the registry, then used there only through the installed files.
// The build comes first (turbo's test task depends on build; run it before `npx vitest run`).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './helpers/run.js';
import { tempDirs } from './helpers/tmp.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const PACKED = ['client', 'runtime', 'emulator', 'plugin'];
const PNPM = 'pnpm@10.34.9';
const WORKSPACE_FOLDERS = ['packages', 'tooling', 'apps'];

/** The workspace's private packages (`private: true`): never published, so no user can resolve them. */
const PRIVATE = new Set(
  WORKSPACE_FOLDERS.flatMap((folder) =>
    existsSync(join(REPO, folder))
      ? readdirSync(join(REPO, folder))
          .map((name) => join(REPO, folder, name, 'package.json'))
          .filter((file) => existsSync(file))
          .map((file) => JSON.parse(readFileSync(file, 'utf8')) as { name: string; private?: boolean })
          .filter((pkg) => pkg.private)
          .map((pkg) => pkg.name)
      : [],
  ),
);

/**
 * The environment of npm, npx and fcs here: what a user's shell has, not the test run's npm_* and
 * pnpm settings. The registry, cache and proxy settings CI may give are kept.
 */
const KEPT = /^(PATH|HOME|USERPROFILE|APPDATA|LOCALAPPDATA|SYSTEMROOT|TMPDIR|TEMP|TMP|(HTTPS?|NO|ALL)_PROXY)$/i;
const NPM_KEPT = /^npm_config_(registry|cache|userconfig|cafile|strict_ssl|(https_)?proxy|noproxy)$/i;
const baseEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => KEPT.test(key) || NPM_KEPT.test(key)),
) as Record<string, string>;

/** Records the exit code of every `fcs` process in `dir` (npx runs it under `sh -c`, which hides it). */
const EXIT_REPORT = `'use strict';
if (/[\\\\/]fcs(\\.cjs)?$/.test(process.argv[1] || '')) {
  process.on('exit', (code) => {
    require('node:fs').writeFileSync(require('node:path').join(process.env.FCS_TEST_EXITS, 'fcs-' + process.pid), String(code));
  });
}
`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** True while any process of the group `pgid` runs. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the packed packages, installed with npm into an empty folder', { timeout: 60_000 }, () => {
  const tmp = tempDirs();
  let app: string;
  let exits: string;
  let env: Record<string, string>;
  let emulatorChild: ChildProcess | undefined;

  beforeAll(async () => {
    const root = await tmp.make('fcs-packed-');
    const packs = join(root, 'packs');
    app = join(root, 'app');
    exits = join(root, 'exits');
    await Promise.all([mkdir(packs), mkdir(app), mkdir(exits)]);
    await writeFile(join(app, 'package.json'), '{"name":"packed-install","private":true}\n');
    await writeFile(join(root, 'exit-report.cjs'), EXIT_REPORT);
    const packed = await Promise.all(
      PACKED.map((name) =>
        run('npx', ['--yes', PNPM, 'pack', '--pack-destination', packs], {
          cwd: join(REPO, 'packages', name),
          env: baseEnv,
          timeoutMs: 60_000,
        }),
      ),
    );
    for (const result of packed) expect(result.code, result.stdout + result.stderr).toBe(0);
    const tarballs = readdirSync(packs).filter((name) => name.endsWith('.tgz'));
    expect(tarballs).toHaveLength(PACKED.length);
    const installed = await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs.map((name) => join(packs, name))],
      { cwd: app, env: baseEnv, timeoutMs: 90_000 },
    );
    expect(installed.code, installed.stdout + installed.stderr).toBe(0);
    env = {
      ...baseEnv,
      // fcs keeps its V8 code cache here, not in the user's ~/.cache.
      XDG_CACHE_HOME: join(root, 'cache'),
      NODE_OPTIONS: `--require ${join(root, 'exit-report.cjs')}`,
      FCS_TEST_EXITS: exits,
    };
  }, 150_000);

  afterAll(async () => {
    const pgid = emulatorChild?.pid;
    if (pgid !== undefined && groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
    await tmp.cleanup();
  });

  it('npx fcs emulator prints the listen and dashboard URLs, serves the dashboard and exits 0 on SIGTERM', async () => {
    // Its own process group, as a terminal runs it: SIGTERM reaches npm, sh and fcs together.
    const child = spawn('npx', ['--no', 'fcs', 'emulator', '--port', '0'], {
      cwd: app,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    emulatorChild = child;
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const [endpoint, dashboard] = await new Promise<[string, string]>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /^FC emulator listening on (http:\/\/\S+)\nDashboard: (\1\/_emulator\/ui\?token=\S+)\n/.exec(out);
        if (match) resolve([match[1] as string, match[2] as string]);
      });
      child.once('exit', (code) => reject(new Error(`npx fcs emulator exited with ${code}\n${out}\n${err}`)));
    });
    // The printed link trades its token for the dashboard's cookie, then the page itself loads.
    const link = await fetch(dashboard, { redirect: 'manual' });
    expect(link.status).toBe(303);
    const cookie = (link.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const page = await fetch(new URL(link.headers.get('location') as string, endpoint), { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    await page.arrayBuffer();

    process.kill(-(child.pid as number), 'SIGTERM');
    for (let waited = 0; groupAlive(child.pid as number) && waited < 10_000; waited += 50) await sleep(50);
    expect(groupAlive(child.pid as number), 'a process of npx fcs emulator outlived SIGTERM').toBe(false);
    const reports = readdirSync(exits);
    expect(reports, `fcs did not exit by itself on SIGTERM\n${err}`).toHaveLength(1);
    expect(await readFile(join(exits, reports[0] as string), 'utf8')).toBe('0');
    await expect(fetch(endpoint)).rejects.toThrow();
    expect(err).not.toMatch(/Error|Warning/);
  });

  it('fcs --version and --help run with the emulator absent: only `fcs emulator` loads it', async () => {
    const emulator = join(app, 'node_modules', '@fc-sessions', 'emulator');
    await rename(emulator, `${emulator}.away`);
    try {
      // npx reads a --version before `--` as its own.
      const version = await run('npx', ['--no', '--', 'fcs', '--version'], { cwd: app, env });
      expect(version, version.stderr).toMatchObject({ code: 0, stdout: '0.1.0\n' });
      const help = await run('npx', ['--no', '--', 'fcs', '--help'], { cwd: app, env });
      expect(help.code, help.stderr).toBe(0);
      expect(help.stdout).toContain('emulator');
    } finally {
      await rename(`${emulator}.away`, emulator);
    }
  });

  it('every entry of every package loads with require and with import', async () => {
    const entries = PACKED.flatMap((name) => {
      const manifest = JSON.parse(
        readFileSync(join(app, 'node_modules', '@fc-sessions', name, 'package.json'), 'utf8'),
      );
      return Object.keys(manifest.exports as Record<string, unknown>)
        .filter((key) => key !== './package.json')
        .map((key) => `@fc-sessions/${name}${key.slice(1)}`);
    });
    expect(entries).toContain('@fc-sessions/plugin');
    const list = JSON.stringify(entries);
    const required = await run(
      'node',
      ['-e', `for (const e of ${list}) console.log(e, Object.keys(require(e)).sort().join(','))`],
      { cwd: app, env },
    );
    const imported = await run(
      'node',
      [
        '--input-type=module',
        '-e',
        `for (const e of ${list}) console.log(e, Object.keys(await import(e)).filter((k) => k !== 'default' && k !== 'module.exports').sort().join(','))`,
      ],
      { cwd: app, env },
    );
    expect(required.code, required.stderr).toBe(0);
    expect(imported.code, imported.stderr).toBe(0);
    expect(required.stderr + imported.stderr).toBe('');
    const plugin = required.stdout.split('\n').find((line) => line.startsWith('@fc-sessions/plugin '));
    expect(plugin).toContain('createClient');
    expect(imported.stdout.split('\n')).toContain(plugin);
  });

  it('no packed declaration names a private package or any package the user does not get', () => {
    const declarations = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : declarations(path);
        return /\.d\.[cm]?ts$/.test(entry.name) ? [path] : [];
      });
    const unresolvable: string[] = [];
    for (const name of PACKED) {
      const dir = join(app, 'node_modules', '@fc-sessions', name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      const resolvable = new Set([
        manifest.name,
        ...Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }),
      ]);
      const files = declarations(dir);
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        for (const [, specifier] of text.matchAll(/(?:from\s+|import\(\s*|require\(\s*)['"]([^'"]+)['"]/g)) {
          if (!specifier || specifier.startsWith('.') || isBuiltin(specifier)) continue;
          const pkg = specifier.split('/', specifier.startsWith('@') ? 2 : 1).join('/');
          if (PRIVATE.has(pkg) || !resolvable.has(pkg))
            unresolvable.push(`${file.slice(app.length + 1)}: ${specifier}`);
        }
      }
    }
    expect(PRIVATE).toContain('@fc-sessions/internals');
    expect(unresolvable).toEqual([]);
  });
});
