import { defaultsOf, keysIn, plainSource, type Resolved, resolveSettings } from '../settings/resolve.js';
import { COUNT_MAX, type Settings } from '../settings/settings.js';

/** The keys of the settings marked `prefetch`. */
export type PrefetchKey = { [K in keyof Settings]: Settings[K] extends { prefetch: true } ? K : never }[keyof Settings];

export { COUNT_MAX };

/** The settings of one session: what CreateSession and UpdateSession take besides the id. */
export const SESSION_SETTING_KEYS = [
  'sessionTTLInSeconds',
  'sessionIdleTimeoutInSeconds',
  'disableSessionIdReuse',
  'nasConfig',
  'ossMountConfig',
  'polarFsConfig',
] as const;

/** The settings prefetch reads (those marked `prefetch` in `SETTINGS`), the same names in s.yaml args, custom.fcSessions and the core API. */
export const PREFETCH_KEYS = keysIn('prefetch') as readonly PrefetchKey[];

/** A checked prefetch (see `SETTINGS` for each field's range and default). */
export type PrefetchSettings = Resolved<PrefetchKey, keyof typeof PREFETCH_REQUIRED>;

export type FailurePolicy = PrefetchSettings['onFailure'];

/** The defaults of the prefetch settings that have one. */
export const PREFETCH_DEFAULTS = defaultsOf(PREFETCH_KEYS);

/** What a prefetch must be told (the text says what for). */
export const PREFETCH_REQUIRED = {
  functionName: 'the function to prefetch sessions for',
  count: `how many sessions to keep (0-${COUNT_MAX})`,
} as const;

/**
 * Checks raw prefetch options (from YAML, JSON or the core API) before any network call. `name(key)`
 * says how the caller calls an option, so errors name it the way the user wrote it.
 */
export function readPrefetchSettings(
  input: Record<string, unknown>,
  name: (key: string) => string = (key) => key,
  strict = true,
): PrefetchSettings {
  const source = { ...plainSource(input, strict ? PREFETCH_KEYS : undefined), name };
  return resolveSettings(PREFETCH_KEYS, [source], { required: PREFETCH_REQUIRED, env: {} });
}
