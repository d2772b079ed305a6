import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { COMMANDS } from '../src/commands/index.js';
import { commandSynopsis, commonOptions, devsCommandsTable, settingsTable, usageBlock } from '../src/settings/docs.js';
import { SETTINGS } from '../src/settings/settings.js';
import { deployHello, startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { plain, run } from './helpers/run.js';
import { tempDirs } from './helpers/tmp.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = join(ROOT, 'README.md');
const ROOT_README = join(ROOT, '..', '..', 'README.md');
const S_PACKAGE = dirname(createRequire(import.meta.url).resolve('@serverless-devs/s/package.json'));

/** A markdown table row as trimmed cells (biome pads them); `undefined` for the separator row. */
const rowCells = (line: string) =>
  /^\|[\s|:-]+\|$/.test(line)
    ? undefined
    : line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim());

/** A markdown table as rows of trimmed cells, without the separator row. */
const cells = (lines: readonly string[]) =>
  lines
    .filter((line) => line.startsWith('|'))
    .flatMap((line) => {
      const row = rowCells(line);
      return row ? [row] : [];
    });

/** Lines as a reader sees them: table rows as their cells (however biome pads them), other lines as they are. */
const shown = (lines: readonly string[]) =>
  lines.flatMap((line): (string | string[])[] => {
    if (!line.startsWith('|')) return [line];
    const row = rowCells(line);
    return row ? [row] : [];
  });

const UPDATE = 'run FCS_UPDATE_DOCS=1 npx vitest run test/readme.test.ts';

/**
 * The lines of `file` between `<!-- name -->` and `<!-- /name -->`; with FCS_UPDATE_DOCS=1, first
 * rewrites them to `made`.
 */
async function region(file: string, name: string, made: readonly string[]): Promise<string[]> {
  const open = `<!-- ${name} -->\n`;
  const close = `<!-- /${name} -->`;
  const text = await readFile(file, 'utf8');
  const [before, rest] = text.split(open);
  const [inside, after] = (rest ?? '').split(close);
  expect(after, `${file} has ${open.trim()} ... ${close}`).toBeDefined();
  if (process.env['FCS_UPDATE_DOCS'] === '1') {
    await writeFile(file, `${before}${open}${made.join('\n')}\n${close}${after}`);
    return [...made];
  }
  return (inside ?? '').replace(/\n$/, '').split('\n');
}

/** What `fcs <argv>` prints on stdout, run in this process. */
async function fcsOut(argv: string[]): Promise<string> {
  let text = '';
  const stdout = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  await main(argv, { stdout, stderr: stdout, env: {} });
  return text;
}

describe('the READMEs say what the code does', () => {
  it('the plugin README settings table is the settings declaration', async () => {
    const made = settingsTable();
    expect(shown(await region(README, 'settings', made)), UPDATE).toEqual(shown(made));
  });

  it("the plugin README table of the component's commands is the command definitions", async () => {
    const made = devsCommandsTable(COMMANDS);
    expect(shown(await region(README, 'commands', made)), UPDATE).toEqual(shown(made));
  });

  it('the plugin README `fcs` usage block is the command definitions, as `fcs --help` prints them', async () => {
    const made = ['```text', ...usageBlock(COMMANDS), '```'];
    expect(await region(README, 'usage', made), UPDATE).toEqual(made);
    // `fcs <command> --help` starts with the same lines; `fcs --help` ends its list with the same options.
    for (const { definition } of COMMANDS) {
      const help = await fcsOut([...definition.path, '--help']);
      expect(help).toContain(
        `Usage:\n${commandSynopsis(definition)
          .map((line) => `  ${line}`)
          .join('\n')}\n`,
      );
    }
    expect(await fcsOut(['--help'])).toContain(commonOptions().join('\n'));
  });

  it('the root README environment table lists what the code reads, no more and no less', async () => {
    // Rows of the table under "## Settings": the variables (first cell) and who reads them.
    const text = await readFile(ROOT_README, 'utf8');
    const section = text.slice(text.indexOf('\n## Settings\n'));
    const lines = section.split('\n');
    const first = lines.findIndex((line) => line.startsWith('|'));
    const rows = cells(
      lines.slice(
        first,
        lines.findIndex((line, i) => i > first && !line.startsWith('|')),
      ),
    );
    expect(rows[0]).toEqual(['setting', 'read by', 'meaning']);
    const listed = rows
      .slice(1)
      .flatMap(([names = '', readBy = '']) =>
        [...names.matchAll(/`([A-Z][A-Za-z0-9_]+)`/g)].map(([, name]) => ({ name: name as string, readBy })),
      );
    const fromSettings = (Object.values(SETTINGS) as { env?: readonly string[] }[]).flatMap((s) => s.env ?? []);
    for (const env of fromSettings) expect(listed.map((row) => row.name)).toContain(env);
    // A row that is not a setting's variable names one a package it lists reads (as a quoted name in its
    // src), so a row for a variable no longer read fails.
    const packagesOf = (readBy: string) => [
      ...(/\bclient\b/.test(readBy) ? ['client'] : []),
      ...(/\bruntime\b/.test(readBy) ? ['runtime'] : []),
      ...(/s plugin|s component|Framework plugin|`fcs`/.test(readBy) ? ['plugin'] : []),
    ];
    for (const { name, readBy } of listed.filter((row) => !fromSettings.includes(row.name))) {
      const read = [];
      for (const pkg of packagesOf(readBy)) {
        const dir = join(ROOT, '..', pkg, 'src');
        const files = (await readdir(dir, { recursive: true })).filter((file) => file.endsWith('.ts'));
        for (const file of files) {
          if (new RegExp(`['"]${name}['"]`).test(await readFile(join(dir, file), 'utf8'))) read.push(`${pkg}/${file}`);
        }
      }
      expect(read, `${name} (read by ${readBy}) is read by no src of those packages`).not.toEqual([]);
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
