import { invalidArgument } from './errors.js';

// Readers for option values that may come from YAML (typed), JSON, or a command line (text).
// Each returns undefined for undefined and throws an error naming `field` otherwise.

export function integerOption(field: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
  if (typeof parsed !== 'number' || !Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw invalidArgument(field, value, `must be an integer from ${min} to ${max}`);
  }
  return parsed;
}

export function choiceOption<T extends string>(field: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw invalidArgument(field, value, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function stringOption(field: string, value: unknown, pattern?: RegExp, rule?: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0)
    throw invalidArgument(field, value, 'must be a non-empty string');
  if (pattern && !pattern.test(value)) throw invalidArgument(field, value, rule ?? `must match ${pattern}`);
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON object, given as an object or as JSON text (command lines, `s cli` props). */
export function objectOption(field: string, value: unknown): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw invalidArgument(field, value, 'must be a JSON object');
    }
  }
  if (!isPlainObject(parsed)) throw invalidArgument(field, value, 'must be an object');
  return parsed;
}
