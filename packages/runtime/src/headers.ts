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

const noHeaders: HeaderLookup = () => undefined;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** A trimmed, non-empty string, or `undefined`. Arrays give their first element (or all of them joined by `join`). */
export function text(value: unknown, join?: string): string | undefined {
  const single = Array.isArray(value) ? (join === undefined ? value[0] : value.join(join)) : value;
  const raw = typeof single === 'number' ? String(single) : single;
  if (typeof raw !== 'string') return undefined;
  const trimmed = raw.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function headerLookup(source: unknown): HeaderLookup {
  if (!isObject(source)) return noHeaders;
  const headers = isObject(source['headers']) ? source['headers'] : source;
  const get = headers['get'];
  if (typeof get === 'function') {
    return (name) => {
      try {
        return text(get.call(headers, name));
      } catch {
        return undefined;
      }
    };
  }
  const byName = new Map<string, unknown>();
  try {
    for (const key of Object.keys(headers)) {
      const lower = key.toLowerCase();
      if (!byName.has(lower)) byName.set(lower, headers[key]);
    }
  } catch {
    return noHeaders;
  }
  return (name) => text(byName.get(name), name === 'cookie' ? '; ' : undefined);
}
