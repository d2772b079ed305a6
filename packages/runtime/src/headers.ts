export type HeaderValue = string | readonly string[] | number | undefined;

/** Headers as a plain object: Node's `req.headers`, or any record with names in any case. */
export type HeaderRecord = Readonly<Record<string, HeaderValue>>;

/** The part of the Fetch `Headers` interface the readers use. */
export interface HeaderGetter {
  get(name: string): string | null;
}

/** Anything that carries request headers: a Node `IncomingMessage`, a Fetch `Request` or `Headers`, a plain record. */
export type HeaderSource =
  | HeaderRecord
  | HeaderGetter
  | { readonly headers: HeaderRecord | HeaderGetter }
  | null
  | undefined;

/** Returns a header's trimmed value by lower-case name; empty and missing values are `undefined`. */
export type HeaderLookup = (name: string) => string | undefined;

/**
 * One source's headers. Readers that know their names read `record['name']` themselves (a fast
 * read per call site) and ask `lookup` only when that is not a string.
 */
export interface HeaderSet {
  /** A plain record's own names and values as they are; empty for any other source. */
  readonly record: Readonly<Record<string, unknown>>;
  readonly lookup: HeaderLookup;
}

const noRecord: Readonly<Record<string, unknown>> = Object.freeze({});
const noHeaders: HeaderSet = { record: noRecord, lookup: () => undefined };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function trimmed(raw: string): string | undefined {
  const first = raw.charCodeAt(0);
  const last = raw.charCodeAt(raw.length - 1);
  // Values that start and end with visible ASCII, as FC's do, have nothing to trim.
  if (first > 32 && first < 127 && last > 32 && last < 127) return raw;
  const value = raw.trim();
  return value === '' ? undefined : value;
}

function nonString(value: unknown, join: string | undefined): string | undefined {
  const single = Array.isArray(value) ? (join === undefined ? value[0] : value.join(join)) : value;
  if (typeof single === 'string') return trimmed(single);
  return typeof single === 'number' ? trimmed(String(single)) : undefined;
}

/** A trimmed, non-empty string, or `undefined`. Arrays give their first element (or all of them joined by `join`). */
export function text(value: unknown, join?: string): string | undefined {
  return typeof value === 'string' ? trimmed(value) : value === undefined ? undefined : nonString(value, join);
}

/** Whether `key` lower-cased is `name`. */
function sameName(key: string, name: string): boolean {
  if (key.length !== name.length) return false;
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code > 127) return key.toLowerCase() === name;
    if (code !== name.charCodeAt(i) && (code < 65 || code > 90 || code + 32 !== name.charCodeAt(i))) return false;
  }
  return true;
}

/**
 * A plain record's value by lower-case name: its string under exactly that name (Node's
 * `req.headers` has lower-case names only), else the first own name equal to it in any case.
 */
function recordHeaders(headers: Record<string, unknown>): HeaderSet {
  const prototype = Object.getPrototypeOf(headers);
  // Members a plain object inherits are never strings; other prototypes may hold anything.
  const record = prototype === Object.prototype || prototype === null ? headers : noRecord;
  let names: string[] | undefined;
  const inAnyCase = (name: string): unknown => {
    names ??= Object.keys(headers);
    const key = names.find((key) => sameName(key, name));
    return key === undefined ? undefined : headers[key];
  };
  const lookup: HeaderLookup = (name) => {
    try {
      const value = record[name];
      return text(typeof value === 'string' ? value : inAnyCase(name), name === 'cookie' ? '; ' : undefined);
    } catch {
      return undefined;
    }
  };
  return { record, lookup };
}

export function headerSet(source: unknown): HeaderSet {
  if (!isObject(source)) return noHeaders;
  const headers = isObject(source['headers']) ? source['headers'] : source;
  const get = headers['get'];
  if (typeof get !== 'function') return recordHeaders(headers);
  const lookup: HeaderLookup = (name) => {
    try {
      return text(get.call(headers, name));
    } catch {
      return undefined;
    }
  };
  return { record: noRecord, lookup };
}
