import { invalidArgument } from '../errors.js';

/** An integer query parameter in [min, max], or `fallback` when absent. */
export function queryInt(query: URLSearchParams, name: string, min: number, max: number, fallback: number): number {
  const text = query.get(name);
  if (text === null || text === '') return fallback;
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || value < min || value > max) {
    throw invalidArgument(`${name} must be an integer in [${min}, ${max}]; got "${text.slice(0, 40)}"`);
  }
  return value;
}

export function queryOneOf(query: URLSearchParams, name: string, allowed: readonly string[]): string | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  if (!allowed.includes(text))
    throw invalidArgument(`${name} must be one of ${allowed.join(', ')}; got "${text.slice(0, 40)}"`);
  return text;
}
