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
      s.env ? code(`$${s.env}`) : '',
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
