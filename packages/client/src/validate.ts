import { FcError } from './errors.js';

export function invalid(field: string, value: unknown, rule: string): FcError {
  const shown =
    typeof value === 'string' ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value) : String(value);
  return new FcError({ code: 'InvalidArgument', field, message: `${field} ${rule}; got ${shown}` });
}

function pattern(field: string, value: unknown, re: RegExp, rule: string): void {
  if (typeof value !== 'string' || !re.test(value)) throw invalid(field, value, rule);
}

export function integerIn(field: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(field, value, `must be an integer from ${min} to ${max}`);
  }
}

export function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !allowed.includes(value as T))
    throw invalid(field, value, `must be one of ${allowed.join(', ')}`);
}

export function booleanOrUndefined(field: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') throw invalid(field, value, 'must be true or false');
}

export const validateFunctionName = (value: unknown, field = 'functionName'): void =>
  pattern(
    field,
    value,
    /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/,
    'must be 1-128 characters of letters, digits, "_" and "-", starting with a letter or "_"',
  );

export const validateSessionId = (value: unknown, field = 'sessionId'): void =>
  pattern(
    field,
    value,
    /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/,
    'must be 1-64 characters of letters, digits, "_" and "-", not starting with "-"',
  );

export function validateQualifier(value: unknown, field = 'qualifier'): void {
  if (value === undefined) return;
  pattern(
    field,
    value,
    /^[A-Za-z0-9_][A-Za-z0-9_-]{0,127}$/,
    'must be LATEST, a version number or an alias name (1-128 of letters, digits, "_", "-")',
  );
}

export function validateAsyncTaskId(value: unknown, field = 'asyncTaskId'): void {
  if (value === undefined) return;
  pattern(
    field,
    value,
    /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/,
    'must be 1-128 characters of letters, digits, "_" and "-", starting with a letter or "_"',
  );
}

export function validateAffinityHeaderName(value: unknown, field = 'affinityHeaderFieldName'): void {
  if (value === undefined) return;
  pattern(
    field,
    value,
    /^[A-Za-z][A-Za-z0-9_-]{4,39}$/,
    'must be 5-40 characters of letters, digits, "_" and "-", starting with a letter',
  );
  if ((value as string).toLowerCase().startsWith('x-fc-')) throw invalid(field, value, 'must not start with "x-fc-"');
}

export const SESSION_TTL_MAX = 21600;

export function validateSessionSettings(input: Record<string, unknown>, prefix = ''): void {
  integerIn(`${prefix}sessionTTLInSeconds`, input['sessionTTLInSeconds'], 1, SESSION_TTL_MAX);
  integerIn(`${prefix}sessionIdleTimeoutInSeconds`, input['sessionIdleTimeoutInSeconds'], 0, SESSION_TTL_MAX);
  booleanOrUndefined(`${prefix}disableSessionIdReuse`, input['disableSessionIdReuse']);
}

export function validateAffinityConfig(
  config: Record<string, unknown> | undefined,
  field = 'sessionAffinityConfig',
): void {
  if (config === undefined) return;
  if (typeof config !== 'object' || config === null) throw invalid(field, config, 'must be an object');
  validateAffinityHeaderName(config['affinityHeaderFieldName'], `${field}.affinityHeaderFieldName`);
  integerIn(`${field}.sessionConcurrencyPerInstance`, config['sessionConcurrencyPerInstance'], 1, 200);
  validateSessionSettings(config, `${field}.`);
}

export const LIST_LIMIT_MAX = 100;
