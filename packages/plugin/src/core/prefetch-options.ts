import {
  type NasConfig,
  type OssMountConfig,
  type PolarFsConfig,
  SESSION_IDLE_TIMEOUT,
  SESSION_TTL,
  validateFunctionName,
  validateQualifier,
} from '@fc-sessions/client';
import {
  booleanOption,
  choiceOption,
  integerOption,
  isPlainObject,
  objectOption,
  onlyKnownKeys,
  stringOption,
} from './check.js';
import { invalidArgument, missingArgument } from './errors.js';
import { checkTemplate } from './template.js';

export type FailurePolicy = 'fail' | 'warn';

/** What prefetch makes sure of: `count` Active sessions of `functionName` at `qualifier`. */
export interface PrefetchSettings {
  functionName: string;
  /** Default `LATEST`. */
  qualifier: string;
  /** [0, 1000]. 0 with `trim` deletes every session made before. */
  count: number;
  /** `SESSION_TTL`; default: the function's sessionAffinityConfig. */
  sessionTTLInSeconds?: number | undefined;
  /** `SESSION_IDLE_TIMEOUT`; default: the function's sessionAffinityConfig. */
  sessionIdleTimeoutInSeconds?: number | undefined;
  disableSessionIdReuse?: boolean | undefined;
  /** Per-session mounts; strings may use {index}, {sessionId}, {functionName}, {qualifier}. */
  nasConfig?: NasConfig | undefined;
  ossMountConfig?: OssMountConfig | undefined;
  polarFsConfig?: PolarFsConfig | undefined;
  /** Session ids are `<idPrefix><32 hex>`; up to 32 of letters, digits, `_`, `-`. Default none. */
  idPrefix: string;
  /** Calls in flight at once, [1, 64]; default 4. */
  concurrency: number;
  /** `fail` (default): an incomplete prefetch is an error; `warn`: report it and go on. */
  onFailure: FailurePolicy;
  /** Bound on the whole prefetch, [1, 3600] s; default 600. */
  timeoutSeconds: number;
  /** Delete sessions beyond `count` (default false: extras are kept). */
  trim: boolean;
}

export const PREFETCH_DEFAULTS = {
  qualifier: 'LATEST',
  idPrefix: '',
  concurrency: 4,
  onFailure: 'fail',
  timeoutSeconds: 600,
  trim: false,
} as const;

export const COUNT_MAX = 1000;

/** The settings of one session: what CreateSession and UpdateSession take besides the id. */
export const SESSION_SETTING_KEYS = [
  'sessionTTLInSeconds',
  'sessionIdleTimeoutInSeconds',
  'disableSessionIdReuse',
  'nasConfig',
  'ossMountConfig',
  'polarFsConfig',
] as const;

/** The option names prefetch reads (the same in s.yaml args, custom.fcSessions and the core API). */
export const PREFETCH_KEYS = [
  'functionName',
  'qualifier',
  'count',
  ...SESSION_SETTING_KEYS,
  'idPrefix',
  'concurrency',
  'onFailure',
  'timeoutSeconds',
  'trim',
] as const;

function mountOption(field: string, value: unknown): Record<string, unknown> | undefined {
  const parsed = objectOption(field, value);
  if (parsed === undefined) return undefined;
  if (parsed['mountPoints'] !== undefined && !Array.isArray(parsed['mountPoints'])) {
    throw invalidArgument(`${field}.mountPoints`, parsed['mountPoints'], 'must be a list');
  }
  checkTemplate(field, parsed);
  return parsed;
}

/**
 * Checks raw prefetch options (from YAML, JSON or flags) before any network call. `name(key)`
 * says how the front door calls an option, so errors name it the way the user wrote it
 * (`args.count`, `custom.fcSessions.count`, `--count`).
 */
export function readPrefetchSettings(
  input: Record<string, unknown>,
  name: (key: string) => string = (key) => key,
  strict = true,
): PrefetchSettings {
  if (!isPlainObject(input)) throw invalidArgument(name(''), input, 'must be an object');
  if (strict) onlyKnownKeys(input, PREFETCH_KEYS, name);
  const functionName = input['functionName'];
  if (functionName === undefined || functionName === '') {
    throw missingArgument(name('functionName'), 'the function to prefetch sessions for');
  }
  validateFunctionName(functionName, name('functionName'));
  const qualifier = input['qualifier'] ?? PREFETCH_DEFAULTS.qualifier;
  validateQualifier(qualifier, name('qualifier'));
  const count = integerOption(name('count'), input['count'], 0, COUNT_MAX);
  if (count === undefined) throw missingArgument(name('count'), `how many sessions to keep (0-${COUNT_MAX})`);
  return {
    functionName: functionName as string,
    qualifier: qualifier as string,
    count,
    sessionTTLInSeconds: integerOption(
      name('sessionTTLInSeconds'),
      input['sessionTTLInSeconds'],
      SESSION_TTL.min,
      SESSION_TTL.max,
    ),
    sessionIdleTimeoutInSeconds: integerOption(
      name('sessionIdleTimeoutInSeconds'),
      input['sessionIdleTimeoutInSeconds'],
      SESSION_IDLE_TIMEOUT.min,
      SESSION_IDLE_TIMEOUT.max,
    ),
    disableSessionIdReuse: booleanOption(name('disableSessionIdReuse'), input['disableSessionIdReuse']),
    nasConfig: mountOption(name('nasConfig'), input['nasConfig']) as NasConfig | undefined,
    ossMountConfig: mountOption(name('ossMountConfig'), input['ossMountConfig']) as OssMountConfig | undefined,
    polarFsConfig: mountOption(name('polarFsConfig'), input['polarFsConfig']) as PolarFsConfig | undefined,
    idPrefix:
      input['idPrefix'] === '' || input['idPrefix'] === undefined
        ? PREFETCH_DEFAULTS.idPrefix
        : (stringOption(
            name('idPrefix'),
            input['idPrefix'],
            /^[A-Za-z0-9_][A-Za-z0-9_-]{0,31}$/,
            'must be up to 32 of letters, digits, "_" and "-", not starting with "-"',
          ) as string),
    concurrency: integerOption(name('concurrency'), input['concurrency'], 1, 64) ?? PREFETCH_DEFAULTS.concurrency,
    onFailure: choiceOption(name('onFailure'), input['onFailure'], ['fail', 'warn']) ?? PREFETCH_DEFAULTS.onFailure,
    timeoutSeconds:
      integerOption(name('timeoutSeconds'), input['timeoutSeconds'], 1, 3600) ?? PREFETCH_DEFAULTS.timeoutSeconds,
    trim: booleanOption(name('trim'), input['trim']) ?? PREFETCH_DEFAULTS.trim,
  };
}
