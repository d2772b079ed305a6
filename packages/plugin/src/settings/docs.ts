import { flagUsage } from '../commands/args.js';
import { type CommandFlag, type CommandInfo, commandFlags, type Door } from '../commands/define.js';
import type { Setting } from './define.js';
import { SETTINGS, type SettingKey } from './settings.js';

const code = (text: string) => `\`${text}\``;

function flagText(setting: Setting): string {
  const flag = setting.flag;
  if (!flag) return '';
  const names = [
    ...(flag.short ? [`-${flag.short}`] : []),
    `--${flag.name}`,
    ...(flag.aliases ?? []).map((a) => `--${a}`),
  ];
  return `${names.map(code).join(', ')}${flag.only === 'cli' ? ' (fcs)' : flag.only === 'devs' ? ' (s)' : ''}`;
}

function envText(setting: Setting): string {
  const names = (setting.env ?? []).map((name) => code(`$${name}`)).join(', ');
  return names && setting.envUnless ? `${names} (not with ${code(setting.envUnless)})` : names;
}

function defaultText(setting: Setting): string {
  if (setting.defaultText !== undefined) return setting.defaultText;
  return setting.default === undefined ? '' : code(JSON.stringify(setting.default));
}

function places(setting: Setting): string {
  const where = [
    ...(setting.prefetch ? ['prefetch'] : []),
    ...(setting.keep ? ['keep'] : []),
    ...(setting.args ? ['args'] : []),
    ...(setting.custom === 'service' ? ['custom'] : setting.custom === 'function' ? ['custom.functions'] : []),
    ...(setting.custom === 'both' ? ['custom', 'custom.functions'] : []),
    ...(setting.props ? ['props'] : []),
  ];
  return where.join(', ');
}

/** The settings a host's configuration or the environment can hold (command-only flags are in `--help`). */
export function configurableKeys(): SettingKey[] {
  return (Object.keys(SETTINGS) as SettingKey[]).filter((key) => {
    const s: Setting = SETTINGS[key];
    return s.prefetch || s.keep || s.args || s.custom || s.props || s.env;
  });
}

/** The README's settings table, one row per configurable setting, made from `SETTINGS`. */
export function settingsTable(): string[] {
  const rows = configurableKeys().map((key) => {
    const s: Setting = SETTINGS[key];
    const cells = [
      code(key),
      flagText(s),
      places(s),
      envText(s),
      defaultText(s),
      s.kind.rule.replace(/^must be /, ''),
      s.doc,
    ];
    return `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  });
  return [
    '| setting | `fcs` / `s` flag | where else | env | default | allowed | meaning |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ];
}

/** Where help text wraps: the README's usage block and `fcs --help` (indented by 2) wrap alike. */
const WIDTH = 78;
/** A placeholder longer than this is shown in a synopsis by the flag's name (`--status <status>`). */
const PLACEHOLDER_MAX = 24;

/** `head word word ...`, wrapped at `WIDTH`, continuation lines indented by `indent`. */
function wrap(head: string, words: readonly string[], indent: number): string[] {
  const lines: string[] = [];
  let line = head;
  let empty = head.trim() === '';
  for (const word of words) {
    if (!empty && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = ' '.repeat(indent);
      empty = true;
    }
    line = empty ? `${line}${word}` : `${line} ${word}`;
    empty = false;
  }
  return [...lines, line];
}

/** The name a user types for a flag: `--no-<name>` for a switch that is on by default (`--no-trim`). */
function typedName(flag: CommandFlag): string {
  const setting: Setting = SETTINGS[flag.key];
  return flag.takes === 'switch' && setting.default === true ? `--no-${flag.name}` : '';
}

/** One flag in a synopsis: `-n <n>`, `[--qualifier <qualifier>]`, `[-H <name:value>]...`, `[--no-trim]`. */
function synopsisFlag(flag: CommandFlag, required: boolean): string {
  const name = typedName(flag) || (flag.short ? `-${flag.short}` : `--${flag.name}`);
  const placeholder = (flag.placeholder ?? '').length > PLACEHOLDER_MAX ? `<${flag.name}>` : flag.placeholder;
  const text = flag.takes === 'switch' ? name : `${name} ${placeholder}`;
  const shown = required ? text : `[${text}]`;
  return flag.takes === 'list' ? `${shown}...` : shown;
}

/** A command's own flags (not the common ones) as a door takes them, and whether each must be given. */
function ownFlags(definition: CommandInfo, door: Door): { flag: CommandFlag; required: boolean }[] {
  return commandFlags(definition, door)
    .filter((flag) => definition.options.includes(flag.key))
    .map((flag) => ({ flag, required: definition.required?.[flag.key] !== undefined }));
}

/** The flags every command takes (the function, where FC and the manifest are), as `door` takes them. */
function commonFlags(door: Door): CommandFlag[] {
  return commandFlags({ path: [], summary: '', description: '', options: [] }, door);
}

/**
 * `fcs <command> <function> [its flags]`, wrapped, continuation lines under `<function>`: the line of
 * the README's usage block and of `fcs <command> --help`.
 */
export function commandSynopsis(definition: CommandInfo): string[] {
  const head = `fcs ${definition.path.join(' ')}`;
  const words = [
    definition.manyFunctions ? '<function>...' : '<function>',
    ...ownFlags(definition, 'cli').map(({ flag, required }) => synopsisFlag(flag, required)),
  ];
  return wrap(head, words, head.length + 1);
}

/** `fcs emulator`, which is not one of the commands (it delegates to @fc-sessions/emulator/cli). */
export const EMULATOR_COMMAND = {
  path: ['emulator'],
  summary: 'Run the local FC emulator (see fcs emulator --help)',
  synopsis: 'fcs emulator [options]',
} as const;

/** The options of every `fcs` command and the environment variables behind them: `fcs --help` and the README. */
export function commonOptions(): string[] {
  const defaults = commonFlags('cli').flatMap((flag) => {
    const setting: Setting = SETTINGS[flag.key];
    if (!setting.env) return [];
    const names = setting.env.map((name) => `$${name}`).join(' or ');
    const other: Setting | undefined = setting.envUnless === undefined ? undefined : SETTINGS[setting.envUnless];
    const unless = other?.flag?.name;
    return [
      `--${flag.name} defaults to ${names}${unless ? ` (not with --${unless})` : ''}${setting.default === undefined ? '' : `, else ${setting.default}`}`,
    ];
  });
  return [
    'Options of every command (fcs <command> --help says what each means):',
    ...wrap('  ', [...commonFlags('cli').map((flag) => synopsisFlag(flag, false)), '[-h]'], 2),
    ...wrap('  ', `(${defaults.join('; ')})`.split(' '), 2),
  ];
}

interface Listed {
  readonly definition: CommandInfo;
}

/** The README's `fcs` usage block: every command's synopsis, one command per line, then the common options. */
export function usageBlock(commands: readonly Listed[]): string[] {
  return [
    ...commands.flatMap(({ definition }) => commandSynopsis(definition)),
    EMULATOR_COMMAND.synopsis,
    '',
    ...commonOptions(),
  ];
}

/** `-e, --event <event>`, `--no-session`: how the README's `s` table shows a flag (all of its names). */
function tableFlag(flag: CommandFlag, required: boolean): string {
  const names = typedName(flag) || flagUsage(flag);
  return `${code(names)}${required ? ' (required)' : ''}`;
}

/**
 * The README's table of the `s` component's commands that `fcs` has too: each one's flags as the
 * component takes them (fc3's names among them), fc3's name for the command, and what it does.
 * Then the flags every command takes.
 */
export function devsCommandsTable(commands: readonly Listed[]): string[] {
  const rows = commands.map(({ definition: d }) => {
    const alias = d.alias ? ` (fc3: ${code(`s ${[...d.path.slice(0, -1), d.alias].join(' ')}`)})` : '';
    const cells = [
      `${code(`s ${d.path.join(' ')}`)}${alias}`,
      ownFlags(d, 'devs')
        .map(({ flag, required }) => tableFlag(flag, required))
        .join(', '),
      d.description.split('\n\n')[0] ?? '',
    ];
    return `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  });
  const common = commonFlags('devs')
    .map((flag) => tableFlag(flag, false))
    .join(', ');
  return [
    '| command | flags | what it does |',
    '| --- | --- | --- |',
    ...rows,
    '',
    `Every one of them also takes ${common} and \`-h\`.`,
  ];
}
