import { parseArgs as tokenize } from 'node:util';
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

interface Known {
  flag: ParserFlag;
  ignored: boolean;
}

type TokenOptions = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** `-5` and `-1.5` are arguments, not flags. */
const NUMBER = /^-\d/;

/**
 * Splits command-line arguments by `flags` with `node:util`'s `parseArgs`: `--name value`,
 * `--name=value`, `-x value`, `-xvalue`, `--no-name` for switches, repeated list flags, `--` ends
 * the flags. Values stay text: the settings they belong to check them. An unknown flag, a missing
 * value (also a value that is another known flag) or a value given to `--no-name` is an
 * `InvalidArgument` naming the flag.
 */
export function parseArgs(argv: readonly string[], flags: readonly ParserFlag[], options: ParseOptions): Parsed {
  const known = new Map<string, Known>();
  const config: TokenOptions = {};
  const shorts = new Set<string>();
  const add = (list: readonly ParserFlag[], ignored: boolean) => {
    for (const flag of list) {
      const type = flag.takes === 'switch' ? 'boolean' : 'string';
      for (const name of [flag.name, ...(flag.aliases ?? [])]) {
        if (known.has(name)) continue;
        known.set(name, { flag, ignored });
        config[name] =
          name === flag.name && flag.short && !shorts.has(flag.short) ? { type, short: flag.short } : { type };
      }
      if (flag.short) shorts.add(flag.short);
    }
  };
  add(flags, false);
  add(options.ignore ?? [], true);
  const isFlag = (text: string) =>
    text.startsWith('--') ? Object.hasOwn(config, text.slice(2)) : text.length === 2 && shorts.has(text.slice(1));

  const { tokens } = tokenize({
    args: [...argv],
    options: config,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Parsed['values'] = {};
  const positionals: string[] = [];
  let numberAt = -1;
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    const arg = argv[token.index] as string;
    if (NUMBER.test(arg)) {
      if (token.index !== numberAt) positionals.push(arg);
      numberAt = token.index;
      continue;
    }
    const long = token.rawName.startsWith('--');
    let entry = long || config[token.name]?.short === token.rawName.slice(1) ? known.get(token.name) : undefined;
    let negated = false;
    if (!entry && long && token.name.startsWith('no-')) {
      const positive = known.get(token.name.slice(3));
      if (positive?.flag.takes === 'switch') {
        entry = positive;
        negated = true;
      }
    }
    if (!entry) {
      throw invalidArgument(
        token.rawName,
        arg,
        `is not an option of ${options.command} (see ${options.command} --help)`,
      );
    }
    const { flag, ignored } = entry;
    const raw = token.value;
    if (flag.takes !== 'switch' && !token.inlineValue && (raw === undefined || isFlag(raw))) {
      throw new PluginError({
        code: 'InvalidArgument',
        field: `--${flag.name}`,
        message: `--${flag.name} needs a value: ${flagUsage(flag)}`,
      });
    }
    if (ignored) continue;
    if (negated && raw !== undefined) throw invalidArgument(token.rawName, raw, 'takes no value');
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
