import type { Kind } from './kinds.js';
import type { SettingKey } from './settings.js';

/** The `fcs` flag (and the `s` component flag) of a setting. */
export interface FlagName {
  /** Long name without dashes, e.g. `session-ttl-in-seconds`. */
  name: string;
  short?: string;
  /** More long names, e.g. fc3's `st` and our `ttl`. */
  aliases?: readonly string[];
  /** Only one front door takes the flag (default: both `fcs` and the `s` component). */
  only?: 'cli' | 'devs';
}

/** Where a setting may be written in a host's configuration, besides the flags. */
export interface Places {
  /** A setting of prefetch (`prefetchSessions`, `fcs prefetch`, the s plugin, the Framework's deploy hook). */
  prefetch?: boolean;
  /** A setting of the keeper only (`keepSessions`, `fcs keep`); the keeper takes the prefetch settings too. */
  keep?: boolean;
  /** A key of a `success-deploy` action's `args` in s.yaml. */
  args?: boolean;
  /** A key of `custom.fcSessions` (`service`), of `custom.fcSessions.functions.<key>` (`function`), or both. */
  custom?: 'service' | 'function' | 'both';
  /** A prop of our `s` component (also read by the `success-deploy` plugin). */
  props?: boolean;
}

/** A setting as `setting()` declares it (see `Setting`, what the front doors read). */
export interface SettingDeclaration<T = unknown> extends Places {
  kind: Kind<T>;
  doc: string;
  flag?: FlagName;
  /** Environment variables read when no flag or configuration gives a value, the first set winning. */
  env?: readonly string[];
  /** See `Setting.envUnless`; text here, since `SettingKey` is made from the declarations. */
  envUnless?: string;
  /** Used when nothing gives a value. */
  default?: T;
  /** The default of the keeper on FC (its deploy, its function, its removal), when it differs from `default`. */
  keeperDefault?: T;
  /** How docs show the default when it is not a value (e.g. "the function's"). */
  defaultText?: string;
}

/**
 * A setting as the front doors read it: its declaration, with `envUnless` a setting key, so one
 * naming no setting fails to compile wherever `SETTINGS` is read as `Setting` (resolve.ts, docs.ts, ...).
 */
export interface Setting<T = unknown> extends Omit<SettingDeclaration<T>, 'envUnless'> {
  /** The environment is not read when this other setting is given (an alias's account id goes with its keys). */
  envUnless?: SettingKey;
}

/** Declares one setting; the type of its value comes from its kind. */
export function setting<T, const S extends Omit<SettingDeclaration<T>, 'kind'>>(
  kind: Kind<T>,
  rest: S,
): S & { kind: Kind<T> } {
  return { kind, ...rest };
}

/** The value a setting resolves to: defined when it has a default. */
export type ValueOf<S> = S extends { kind: Kind<infer T>; default: unknown }
  ? T
  : S extends { kind: Kind<infer T> }
    ? T | undefined
    : never;
