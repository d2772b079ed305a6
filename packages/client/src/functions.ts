import type { FunctionConfig, FunctionInput, SessionAffinityConfig } from './types.js';
import { FUNCTION_TIMEOUT } from './limits.js';
import { integerIn, invalid, oneOf, validateAffinityConfig } from './validate.js';

const AFFINITIES = ['NONE', 'HEADER_FIELD', 'GENERATED_COOKIE', 'MCP_SSE', 'MCP_STREAMABLE'] as const;

/** Checks the fields the project relies on and turns `sessionAffinityConfig` into FC's JSON string. */
export function functionBody(input: FunctionInput): Record<string, unknown> {
  integerIn('memorySize', input.memorySize, 64, 32768);
  integerIn('timeout', input.timeout, FUNCTION_TIMEOUT.min, FUNCTION_TIMEOUT.max);
  integerIn('instanceConcurrency', input.instanceConcurrency, 1, 200);
  oneOf('sessionAffinity', input.sessionAffinity, AFFINITIES);
  for (const name of Object.keys(input.environmentVariables ?? {})) {
    if (name.startsWith('FC_'))
      throw invalid('environmentVariables', name, 'must not start with FC_ (reserved by Function Compute)');
  }
  const { sessionAffinityConfig, ...rest } = input;
  if (sessionAffinityConfig === undefined) return rest;
  validateAffinityConfig({ ...sessionAffinityConfig });
  return { ...rest, sessionAffinityConfig: JSON.stringify(sessionAffinityConfig) };
}

/** FC answers `sessionAffinityConfig` as a JSON string; callers get it parsed. */
export function functionFromWire(raw: Record<string, unknown>): FunctionConfig {
  const config = raw['sessionAffinityConfig'];
  if (typeof config !== 'string') return raw as unknown as FunctionConfig;
  let parsed: SessionAffinityConfig | undefined;
  try {
    parsed = config ? (JSON.parse(config) as SessionAffinityConfig) : undefined;
  } catch {
    parsed = undefined;
  }
  return { ...raw, sessionAffinityConfig: parsed } as unknown as FunctionConfig;
}
