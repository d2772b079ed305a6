import { invalidArgument, preview } from '../errors.js';

/** Checks one value; returns it (possibly normalised) or throws InvalidArgument naming `field`. */
export type Check<T> = (value: unknown, field: string) => T;

const fail = (field: string, expected: string, value: unknown): never => {
  throw invalidArgument(`${field} must be ${expected}; got ${preview(value)}`);
};

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface StringRule {
  pattern?: RegExp;
  patternText?: string;
  minLength?: number;
  maxLength?: number;
  oneOf?: readonly string[];
}

export function string(rule: StringRule = {}): Check<string> {
  return (value, field) => {
    if (typeof value !== 'string') return fail(field, 'a string', value);
    if (rule.oneOf && !rule.oneOf.includes(value)) return fail(field, `one of ${rule.oneOf.join(', ')}`, value);
    const min = rule.minLength ?? 0;
    if (value.length < min || (rule.maxLength !== undefined && value.length > rule.maxLength)) {
      return fail(field, `${min}-${rule.maxLength ?? 'any'} characters long`, value);
    }
    if (rule.pattern && !rule.pattern.test(value))
      return fail(field, rule.patternText ?? `of the form ${rule.pattern}`, value);
    return value;
  };
}

export function integer(min: number, max: number): Check<number> {
  return (value, field) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      return fail(field, `an integer in [${min}, ${max}]`, value);
    }
    return value;
  };
}

export function number(min: number, max: number): Check<number> {
  return (value, field) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      return fail(field, `a number in [${min}, ${max}]`, value);
    }
    return value;
  };
}

export const boolean: Check<boolean> = (value, field) =>
  typeof value === 'boolean' ? value : fail(field, 'true or false', value);

export function arrayOf<T>(item: Check<T>, maxItems = 1000): Check<T[]> {
  return (value, field) => {
    if (!Array.isArray(value)) return fail(field, 'an array', value);
    if (value.length > maxItems) return fail(field, `an array of at most ${maxItems} items`, value);
    return value.map((entry, i) => item(entry, `${field}[${i}]`));
  };
}

export function stringMap(key: Check<string>, maxTotalBytes?: number): Check<Record<string, string>> {
  return (value, field) => {
    if (!isPlainObject(value)) return fail(field, 'an object of string values', value);
    let total = 0;
    const out: Record<string, string> = {};
    for (const [name, entry] of Object.entries(value)) {
      key(name, `${field} key`);
      if (typeof entry !== 'string') return fail(`${field}.${name}`, 'a string', entry);
      total += Buffer.byteLength(name) + Buffer.byteLength(entry);
      out[name] = entry;
    }
    if (maxTotalBytes !== undefined && total > maxTotalBytes) {
      return fail(field, `at most ${maxTotalBytes} bytes in total`, `${total} bytes`);
    }
    return out;
  };
}

export type Shape = Readonly<Record<string, Check<unknown>>>;
export type Parsed<S extends Shape> = { -readonly [K in keyof S]?: ReturnType<S[K]> };

/**
 * An object whose known fields are checked by `shape`. Unknown fields are dropped (FC ignores
 * them too); `null` counts as absent.
 */
export function object<S extends Shape>(shape: S): Check<Parsed<S>> {
  return (value, field) => {
    if (!isPlainObject(value)) return fail(field, 'an object', value);
    return parseFields(shape, value, `${field}.`);
  };
}

export function parseFields<S extends Shape>(shape: S, input: Record<string, unknown>, prefix = ''): Parsed<S> {
  const out: Record<string, unknown> = {};
  for (const [name, check] of Object.entries(shape)) {
    const value = input[name];
    if (value === undefined || value === null) continue;
    out[name] = check(value, `${prefix}${name}`);
  }
  return out as Parsed<S>;
}

/** Parses a JSON request body that must be an object (an empty body is `{}`). */
export function jsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw invalidArgument(`the request body is not valid JSON: ${(error as Error).message}`);
  }
  if (!isPlainObject(parsed)) throw invalidArgument(`the request body must be a JSON object; got ${preview(parsed)}`);
  return parsed;
}
