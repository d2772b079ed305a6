import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsTable } from '../src/settings/docs.js';
import { SETTINGS } from '../src/settings/settings.js';
import { deployHello, startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { plain, run } from './helpers/run.js';
import { tempDirs } from './helpers/tmp.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = join(ROOT, 'README.md');
const ROOT_README = join(ROOT, '..', '..', 'README.md');
const S_PACKAGE = dirname(createRequire(import.meta.url).resolve('@serverless-devs/s/package.json'));

/** A markdown table as rows of trimmed cells, without the separator row (biome pads the cells). */
const cells = (lines: readonly string[]) =>
  lines
    .filter((line) => line.startsWith('|') && !/^\|[\s|:-]+\|$/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );

describe('the READMEs say what the code does', () => {
  it('the plugin README settings table is the settings declaration', async () => {
    const text = await readFile(README, 'utf8');
    const [before, rest] = text.split('<!-- settings -->\n');
    const [table, after] = (rest ?? '').split('<!-- /settings -->');
    const made = settingsTable();
    if (process.env['FCS_UPDATE_DOCS'] === '1') {
      await writeFile(README, `${before}<!-- settings -->\n${made.join('\n')}\n<!-- /settings -->${after}`);
    }
    expect(cells((table ?? '').split('\n')), 'run FCS_UPDATE_DOCS=1 npx vitest run test/readme.test.ts').toEqual(
      cells(made),
    );
  });

  it('the root README settings table names every environment variable a setting reads', async () => {
    const rows = cells((await readFile(ROOT_README, 'utf8')).split('\n')).map((row) => row[0]);
    for (const setting of Object.values(SETTINGS) as { env?: string }[]) {
      if (setting.env) expect(rows).toContain(`\`${setting.env}\``);
    }
  });
});

describe('the plugin README commands run as written', { timeout: 120_000 }, () => {
  let emu: TestEmulator;
  let project: string;
  const tmp = tempDirs();

  beforeAll(async () => {
    emu = await startTestEmulator();
    await deployHello(emu.client, 'hello');
    // The folder of "Try it offline" after its npm install: the package and s in node_modules.
    project = await tmp.make('fcs-readme-');
    await mkdir(join(project, 'node_modules', '@fc-sessions'), { recursive: true });
    await mkdir(join(project, 'node_modules', '.bin'), { recursive: true });
    await symlink(ROOT.replace(/\/$/, ''), join(project, 'node_modules', '@fc-sessions', 'plugin'));
    await symlink(join(S_PACKAGE, 'bin', 's'), join(project, 'node_modules', '.bin', 's'));
    await writeFile(join(project, 'package.json'), '{"name":"readme-project","private":true}\n');
  });
  afterAll(async () => {
    await emu?.stop();
    await tmp.cleanup();
  });

  it('every `npx s cli` line', async () => {
    const lines = (await readFile(README, 'utf8')).split('\n').filter((line) => line.startsWith('npx s cli '));
    expect(lines.length).toBeGreaterThan(0);
    const home = await tmp.make('fcs-readme-home-');
    for (const line of lines) {
      const result = await run('bash', ['-c', line], {
        cwd: project,
        env: { NODE_ENV: 'test', serverless_devs_config_home: home, ...emu.env },
        timeoutMs: 60_000,
      });
      expect(result.code, `${line}\n${result.stdout}${result.stderr}`).toBe(0);
      expect(plain(result.stdout)).toContain('"event":"hi"');
    }
  });
});
