import { invalidArgument, PluginError } from '../core/errors.js';
import type { FlagName } from '../settings/define.js';

/** A flag the parser knows: its names, the key its value goes under, and whether it takes a value. */
export interface ParserFlag extends FlagName {
  key: string;
  takes: 'value' | 'switch' | 'list';
  placeholder?: string;
}

export interface Parsed {
  /** Raw values: text for value flags, true/false for switches, lists of text for repeatable flags. */
  values: Record<string, string | boolean | string[]>;
  positionals: string[];
}

/** `-e, --event <event>`: how help shows a flag. */
export function flagUsage(flag: ParserFlag): string {
  const names = [
    ...(flag.short ? [`-${flag.short}`] : []),
    `--${flag.name}`,
    ...(flag.aliases ?? []).map((alias) => `--${alias}`),
  ].join(', ');
  return flag.takes === 'switch' ? names : `${names} ${flag.placeholder ?? `<${flag.name}>`}`;
}

export interface ParseOptions {
  /** How many positional arguments are allowed. */
  positionals?: number;
  /** Flags that belong to the host (e.g. `s`'s own `-o json`): skipped silently. */
  ignore?: readonly ParserFlag[];
  /** Named in the unknown-flag error, e.g. `fcs invoke`. */
  command: string;
}

/**
 * Splits command-line arguments by `flags`: `--name value`, `--name=value`, `-x value`, `--no-name`
 * for switches, repeated list flags, `--` ends the flags. Values stay text: the settings they
 * belong to check them. An unknown flag or a missing value is an `InvalidArgument` naming the flag.
 */
export function parseArgs(argv: readonly string[], flags: readonly ParserFlag[], options: ParseOptions): Parsed {
  const lookup = new Map<string, { flag: ParserFlag; ignored: boolean }>();
  const add = (list: readonly ParserFlag[], ignored: boolean) => {
    for (const flag of list) {
      for (const name of [flag.name, ...(flag.aliases ?? [])]) lookup.set(`--${name}`, { flag, ignored });
      if (flag.short) lookup.set(`-${flag.short}`, { flag, ignored });
    }
  };
  add(options.ignore ?? [], true);
  add(flags, false);

  const values: Parsed['values'] = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    let entry = lookup.get(name);
    let negated = false;
    if (!entry && name.startsWith('--no-')) {
      const positive = lookup.get(`--${name.slice(5)}`);
      if (positive?.flag.takes === 'switch') {
        entry = positive;
        negated = true;
      }
    }
    if (!entry) {
      throw invalidArgument(name, arg, `is not an option of ${options.command} (see ${options.command} --help)`);
    }
    const { flag, ignored } = entry;
    let raw: string | undefined;
    if (eq > 0) raw = arg.slice(eq + 1);
    else if (flag.takes !== 'switch') {
      raw = argv[i + 1];
      if (raw === undefined || (raw.startsWith('-') && raw !== '-' && !/^-\d/.test(raw) && lookup.has(raw))) {
        throw new PluginError({
          code: 'InvalidArgument',
          field: `--${flag.name}`,
          message: `--${flag.name} needs a value: ${flagUsage(flag)}`,
        });
      }
      i++;
    }
    if (ignored) continue;
    if (negated && raw !== undefined) throw invalidArgument(name, raw, 'takes no value');
    const previous = values[flag.key];
    if (flag.takes === 'list') values[flag.key] = [...(Array.isArray(previous) ? previous : []), raw ?? ''];
    else values[flag.key] = raw ?? !negated;
  }
  const allowed = options.positionals ?? 0;
  if (positionals.length > allowed) {
    throw invalidArgument(
      'arguments',
      positionals.slice(allowed).join(' '),
      `are not expected by ${options.command}${allowed ? ` (it takes ${allowed})` : ''} (see ${options.command} --help)`,
    );
  }
  return { values, positionals };
}
