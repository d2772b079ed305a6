import { SESSION_CONCURRENCY_PER_INSTANCE, SESSION_IDLE_TIMEOUT, SESSION_TTL } from '@fc-sessions/client/limits';
import { invalidArgument } from '../errors.js';
import { boolean, integer, isPlainObject, parseFields, string } from './validate.js';

export const AFFINITY_TYPES = ['NONE', 'HEADER_FIELD', 'GENERATED_COOKIE', 'MCP_SSE', 'MCP_STREAMABLE'] as const;
export type AffinityType = (typeof AFFINITY_TYPES)[number];

export const COOKIE_NAME = 'x-fc-cookie-session-id';
export const MCP_SESSION_HEADER = 'mcp-session-id';

/** Defaults FC applies when `sessionAffinityConfig` leaves a value out (the TTL/idle ones are guesses). */
export const AFFINITY_DEFAULTS = {
  sessionConcurrencyPerInstance: 20,
  sessionTTLInSeconds: SESSION_TTL.max,
  sessionIdleTimeoutInSeconds: 1800,
  disableSessionIdReuse: false,
} as const;

export interface Affinity {
  readonly type: AffinityType;
  /** HEADER_FIELD: the header name, lower-cased. */
  readonly headerName?: string;
  readonly sessionConcurrencyPerInstance: number;
  readonly sessionTTLInSeconds: number;
  readonly sessionIdleTimeoutInSeconds: number;
  readonly disableSessionIdReuse: boolean;
}

const configShape = {
  affinityHeaderFieldName: string({
    pattern: /^(?![xX]-[fF][cC]-)[A-Za-z][A-Za-z0-9_-]{4,39}$/,
    patternText: '5-40 characters of letters, digits, "_" and "-", starting with a letter and not with "x-fc-"',
  }),
  sessionConcurrencyPerInstance: integer(SESSION_CONCURRENCY_PER_INSTANCE.min, SESSION_CONCURRENCY_PER_INSTANCE.max),
  sessionTTLInSeconds: integer(SESSION_TTL.min, SESSION_TTL.max),
  sessionIdleTimeoutInSeconds: integer(SESSION_IDLE_TIMEOUT.min, SESSION_IDLE_TIMEOUT.max),
  disableSessionIdReuse: boolean,
  sseEndpointPath: string({ maxLength: 256 }),
};

/**
 * Reads a function's `sessionAffinity` and its `sessionAffinityConfig` (a JSON string on the API),
 * throwing InvalidArgument naming the field when either is wrong.
 */
export function parseAffinity(type: AffinityType, configText: string | undefined): Affinity {
  let raw: unknown = {};
  if (configText !== undefined && configText.trim() !== '') {
    try {
      raw = JSON.parse(configText);
    } catch {
      throw invalidArgument('sessionAffinityConfig must be a JSON object written as a string');
    }
    if (!isPlainObject(raw)) throw invalidArgument('sessionAffinityConfig must be a JSON object written as a string');
  }
  const config = parseFields(configShape, raw as Record<string, unknown>, 'sessionAffinityConfig.');
  if (type === 'HEADER_FIELD' && !config.affinityHeaderFieldName) {
    throw invalidArgument(
      'sessionAffinityConfig.affinityHeaderFieldName is required when sessionAffinity is HEADER_FIELD',
    );
  }
  return {
    type,
    ...(type === 'HEADER_FIELD' ? { headerName: config.affinityHeaderFieldName!.toLowerCase() } : {}),
    sessionConcurrencyPerInstance:
      config.sessionConcurrencyPerInstance ?? AFFINITY_DEFAULTS.sessionConcurrencyPerInstance,
    sessionTTLInSeconds: config.sessionTTLInSeconds ?? AFFINITY_DEFAULTS.sessionTTLInSeconds,
    sessionIdleTimeoutInSeconds: config.sessionIdleTimeoutInSeconds ?? AFFINITY_DEFAULTS.sessionIdleTimeoutInSeconds,
    disableSessionIdReuse: config.disableSessionIdReuse ?? AFFINITY_DEFAULTS.disableSessionIdReuse,
  };
}

/** Whether sessions can be created with CreateSession for this affinity (FC: HEADER_FIELD and GENERATED_COOKIE). */
export function supportsSessionApi(affinity: Affinity): boolean {
  return affinity.type === 'HEADER_FIELD' || affinity.type === 'GENERATED_COOKIE';
}
