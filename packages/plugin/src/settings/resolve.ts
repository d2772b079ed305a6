import * as v from 'valibot';
import { invalidArgument, missingArgument } from '../core/errors.js';
import type { Setting, ValueOf } from './define.js';
import { SETTINGS, type SettingKey, type Settings } from './settings.js';

type Env = Readonly<Record<string, string | undefined>>;

/** One place a front door reads settings from: flags, `args`, props, `custom.fcSessions`, ... */
export interface Source {
  /** Raw values by setting key (undefined and null: not given here), e.g. parsed flags or an `args` mapping. */
  values: object;
  /** How the user wrote a key here, so errors name it their way: `--count`, `args.count`. */
  name(key: string): string;
  /** The keys `values` may hold; any other is refused (undefined: not checked, e.g. props that also hold fc3's). */
  known?: readonly string[];
}

/** Checked values of `K`; those in `R` (required) are always there. */
export type Resolved<K extends SettingKey, R extends K = never> = {
  -readonly [P in K]: P extends R ? NonNullable<ValueOf<Settings[P]>> : ValueOf<Settings[P]>;
};

export interface ResolveOptions<R extends SettingKey> {
  /** Settings that must be given; the text says what for, e.g. `the session to work on`. */
  required?: Readonly<Record<R, string>>;
  env?: Env;
  /** Read for the keeper on FC: a setting's `keeperDefault` replaces its `default`. */
  keeper?: boolean | undefined;
}

/**
 * Checks one value of a setting, naming `field` and showing the value as it was written. Text is
 * read by the setting's kind first: flags, environment variables and `${env()}` in s.yaml are text.
 */
export function checkValue(setting: Setting, field: string, raw: unknown): unknown {
  const value = typeof raw === 'string' ? setting.kind.fromText(raw) : raw;
  if (setting.kind.check) setting.kind.check(field, value);
  else if (!v.is(setting.kind.schema, value)) throw invalidArgument(field, raw, setting.kind.rule);
  return value;
}

/** Refuses a key of `values` that is not in `known`, naming it and the known ones. */
export function checkKnownKeys(source: Source): void {
  if (!source.known) return;
  for (const [key, value] of Object.entries(source.values)) {
    if (!source.known.includes(key)) {
      throw invalidArgument(source.name(key), value, `is not a known option (known: ${source.known.join(', ')})`);
    }
  }
}

const given = (value: unknown) => value !== undefined && value !== null;

/** What `source` holds for `key`. */
const valueIn = (source: Source, key: string): unknown => Reflect.get(source.values, key);

/** The first source that gives `key`. */
const sourceOf = (sources: readonly Source[], key: string) => sources.find((source) => given(valueIn(source, key)));

/** The environment variable of `setting` that is set first in `env`; none when its `envUnless` setting is given. */
function envOf(setting: Setting, sources: readonly Source[], env: Env): string | undefined {
  if (setting.envUnless !== undefined && sourceOf(sources, setting.envUnless)) return undefined;
  return setting.env?.find((name) => env[name]);
}

/**
 * The only cast of settings to their types. Sound because `resolveSettings` puts in `out`, for each
 * of its keys, a value its setting's kind accepted (or the setting's default, or undefined when it
 * has none), and throws unless each required key has a value: what `Resolved<K, R>` says of each
 * key. TypeScript cannot follow a loop over the keys into that mapped type.
 */
function asResolved<K extends SettingKey, R extends K>(out: Record<string, unknown>): Resolved<K, R> {
  return out as Resolved<K, R>;
}

/**
 * Reads `keys` from `sources`, the first source that gives a key winning (flags, then the host's
 * configuration), then the setting's environment variables, then its default. The one place that
 * order is written: every front door and the keeper on FC read their settings here. Every value is
 * checked, before any call, and an error names the field where it was written.
 */
export function resolveSettings<const K extends SettingKey, R extends K = never>(
  keys: readonly K[],
  sources: readonly Source[],
  options: ResolveOptions<R> = {},
): Resolved<K, R> {
  for (const source of sources) checkKnownKeys(source);
  const env = options.env ?? process.env;
  const required: Partial<Record<SettingKey, string>> = options.required ?? {};
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const setting: Setting = SETTINGS[key];
    const source = sourceOf(sources, key);
    const name = source ? undefined : envOf(setting, sources, env);
    if (source) out[key] = checkValue(setting, source.name(key), valueIn(source, key));
    else if (name) out[key] = checkValue(setting, `$${name}`, env[name]);
    else out[key] = options.keeper && setting.keeperDefault !== undefined ? setting.keeperDefault : setting.default;
    const what = required[key];
    if (what !== undefined && out[key] === undefined) {
      throw missingArgument(sources[0]?.name(key) ?? key, what);
    }
  }
  return asResolved<K, R>(out);
}

/** The field a resolved setting's value came from, as the user wrote it; undefined when it is the default. */
export type FieldOf = (key: SettingKey) => string | undefined;

/**
 * Where each setting `resolveSettings` read from `sources` (and `env`) was given, for the checks
 * across settings: the first source that gives it (its name for the key), else the environment
 * variable, else undefined (the default applies).
 */
export function fieldsOf(sources: readonly Source[], env: Env = process.env): FieldOf {
  return (key) => {
    const source = sourceOf(sources, key);
    if (source) return source.name(key);
    const name = envOf(SETTINGS[key], sources, env);
    return name ? `$${name}` : undefined;
  };
}

/** A source of plain values named as they are (the core API). */
export function plainSource(values: object, known?: readonly string[]): Source {
  return { values, name: (key) => key, ...(known ? { known } : {}) };
}

/** The keys a host's configuration place may hold, in declaration order. */
export function keysIn(place: 'prefetch' | 'keep' | 'args' | 'props' | 'service' | 'function'): SettingKey[] {
  return (Object.keys(SETTINGS) as SettingKey[]).filter((key) => {
    const s: Setting = SETTINGS[key];
    if (place === 'prefetch') return s.prefetch === true;
    if (place === 'keep') return s.keep === true;
    if (place === 'args') return s.args === true;
    if (place === 'props') return s.props === true;
    return s.custom === place || s.custom === 'both';
  });
}

type Defaults<K extends SettingKey> = {
  [P in K as Settings[P] extends { default: unknown } ? P : never]: Settings[P] extends { default: infer D }
    ? D
    : never;
};

/** The declared defaults of `keys` (those that have one). */
export function defaultsOf<const K extends SettingKey>(keys: readonly K[]): Defaults<K> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const setting: Setting = SETTINGS[key];
    const value = setting.default;
    if (value !== undefined) out[key] = value;
  }
  return out as Defaults<K>;
}
