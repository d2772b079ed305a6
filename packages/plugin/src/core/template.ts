import { invalidArgument } from './errors.js';

/** What a per-session mount config may refer to, e.g. `bucketPath: /users/{index}`. */
export interface TemplateValues {
  index: number;
  sessionId: string;
  functionName: string;
  qualifier: string;
}

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;
const NAMES = ['index', 'sessionId', 'functionName', 'qualifier'];

/** Fails (naming the path) on a placeholder other than {index}, {sessionId}, {functionName}, {qualifier}. */
export function checkTemplate(field: string, value: unknown): void {
  if (typeof value === 'string') {
    for (const [, name] of value.matchAll(PLACEHOLDER)) {
      if (!NAMES.includes(name as string)) {
        throw invalidArgument(
          field,
          value,
          `uses {${name}}; placeholders are ${NAMES.map((n) => `{${n}}`).join(', ')}`,
        );
      }
    }
  } else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) checkTemplate(`${field}[${i}]`, item);
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) checkTemplate(`${field}.${key}`, item);
  }
}

/** A copy of `value` with the placeholders in every string filled in. */
export function fillTemplate<T>(value: T, values: TemplateValues): T {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (whole, name: string) =>
      name in values ? String(values[name as keyof TemplateValues]) : whole,
    ) as T;
  }
  if (Array.isArray(value)) return value.map((item) => fillTemplate(item, values)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillTemplate(item, values)])) as T;
  }
  return value;
}
