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
  for (const [key, value] of Object.entries(source.values) as [string, unknown][]) {
    if (!source.known.includes(key)) {
      throw invalidArgument(source.name(key), value, `is not a known option (known: ${source.known.join(', ')})`);
    }
  }
}

const given = (value: unknown) => value !== undefined && value !== null;

/**
 * Reads `keys` from `sources`, the first source that gives a key winning (flags, then the host's
 * configuration), then the setting's environment variable, then its default; every value is
 * checked, before any call, and an error names the field where it was written.
 */
export function resolveSettings<const K extends SettingKey, R extends K = never>(
  keys: readonly K[],
  sources: readonly Source[],
  options: ResolveOptions<R> = {},
): Resolved<K, R> {
  for (const source of sources) checkKnownKeys(source);
  const env = options.env ?? process.env;
  const layers = sources.map((source) => ({ source, values: new Map<string, unknown>(Object.entries(source.values)) }));
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const setting: Setting = SETTINGS[key];
    const layer = layers.find((l) => given(l.values.get(key)));
    if (layer) out[key] = checkValue(setting, layer.source.name(key), layer.values.get(key));
    else if (setting.env && env[setting.env]) out[key] = checkValue(setting, `$${setting.env}`, env[setting.env]);
    else out[key] = setting.default;
    const what = (options.required as Partial<Record<SettingKey, string>> | undefined)?.[key];
    if (what !== undefined && out[key] === undefined) {
      throw missingArgument(sources[0]?.name(key) ?? key, what);
    }
  }
  return out as Resolved<K, R>;
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
    const source = sources.find((s) => given((s.values as Record<string, unknown>)[key]));
    if (source) return source.name(key);
    const name = (SETTINGS[key] as Setting).env;
    return name && env[name] ? `$${name}` : undefined;
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
    const value = (SETTINGS[key] as Setting).default;
    if (value !== undefined) out[key] = value;
  }
  return out as Defaults<K>;
}
