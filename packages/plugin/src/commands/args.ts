import { invalidArgument, PluginError } from '../core/errors.js';

export type FlagType = 'string' | 'boolean' | 'integer' | 'list' | 'json';

export interface FlagSpec {
  /** Long name without dashes, e.g. `event-file`. */
  name: string;
  /** Key in the parsed values, e.g. `eventFile`. */
  key: string;
  short?: string;
  /** More long names, e.g. fc3's `st` for `session-ttl-in-seconds`. */
  aliases?: readonly string[];
  type: FlagType;
  /** Shown in help, e.g. `<file>`. */
  placeholder?: string;
  description: string;
  min?: number;
  max?: number;
  choices?: readonly string[];
}

export interface Parsed {
  values: Record<string, unknown>;
  positionals: string[];
}

/** `-e, --event <event>`: how help shows a flag. */
export function flagUsage(flag: FlagSpec): string {
  const names = [
    ...(flag.short ? [`-${flag.short}`] : []),
    `--${flag.name}`,
    ...(flag.aliases ?? []).map((alias) => `--${alias}`),
  ].join(', ');
  if (flag.type === 'boolean') return names;
  return `${names} ${flag.placeholder ?? `<${flag.name}>`}`;
}

function convert(flag: FlagSpec, raw: string, field: string): unknown {
  switch (flag.type) {
    case 'integer': {
      const value = /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
      const min = flag.min ?? Number.MIN_SAFE_INTEGER;
      const max = flag.max ?? Number.MAX_SAFE_INTEGER;
      if (!Number.isInteger(value) || value < min || value > max) {
        throw invalidArgument(field, raw, `must be an integer from ${min} to ${max}`);
      }
      return value;
    }
    case 'json':
      try {
        const value: unknown = JSON.parse(raw);
        if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
        return value;
      } catch {
        throw invalidArgument(field, raw, 'must be a JSON object');
      }
    case 'boolean':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw invalidArgument(field, raw, 'must be true or false');
    default:
      if (flag.choices && !flag.choices.includes(raw)) {
        throw invalidArgument(field, raw, `must be one of ${flag.choices.join(', ')}`);
      }
      return raw;
  }
}

export interface ParseOptions {
  /** How many positional arguments are allowed. */
  positionals?: number;
  /** Flags that belong to the host (e.g. `s`'s own `-o json`): skipped silently. */
  ignore?: readonly FlagSpec[];
  /** Named in the unknown-flag error, e.g. `fcs invoke`. */
  command: string;
}

/**
 * Parses command-line arguments against `flags`: `--name value`, `--name=value`, `-x value`,
 * `--no-name` for booleans, repeated `list` flags, `--` ends the flags. Every problem is an
 * `InvalidArgument` naming the flag.
 */
export function parseArgs(argv: readonly string[], flags: readonly FlagSpec[], options: ParseOptions): Parsed {
  const lookup = new Map<string, { flag: FlagSpec; ignored: boolean }>();
  const add = (list: readonly FlagSpec[], ignored: boolean) => {
    for (const flag of list) {
      for (const name of [flag.name, ...(flag.aliases ?? [])]) lookup.set(`--${name}`, { flag, ignored });
      if (flag.short) lookup.set(`-${flag.short}`, { flag, ignored });
    }
  };
  add(options.ignore ?? [], true);
  add(flags, false);

  const values: Record<string, unknown> = {};
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
      if (positive?.flag.type === 'boolean') {
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
    else if (flag.type !== 'boolean') {
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
    const value = raw === undefined ? !negated : convert(flag, raw, `--${flag.name}`);
    if (negated && raw !== undefined) throw invalidArgument(name, raw, 'takes no value');
    if (flag.type === 'list') values[flag.key] = [...((values[flag.key] as string[] | undefined) ?? []), value];
    else values[flag.key] = value;
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
