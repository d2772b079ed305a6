import { invalidArgument } from './errors.js';

/** A `nextToken`: the key of the last item of a page, so the next page starts after it. */
export function encodeToken(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

export function decodeToken(token: string): string {
  const value = Buffer.from(token, 'base64url').toString('utf8');
  if (!value || encodeToken(value) !== token)
    throw invalidArgument(`nextToken "${token}" is not a token this emulator handed out`);
  return value;
}

/**
 * One page of `items` (sorted by `key`): those after `nextToken`'s key, at most `limit`, and the
 * token of the next page when more follow.
 */
export function pageAfter<T>(
  items: readonly T[],
  key: (item: T) => string,
  limit: number,
  nextToken: string | undefined,
): { page: T[]; nextToken?: string } {
  const after = nextToken ? decodeToken(nextToken) : undefined;
  const rest = after === undefined ? items : items.filter((item) => key(item) > after);
  const page = rest.slice(0, limit);
  return rest.length > limit ? { page, nextToken: encodeToken(key(page[page.length - 1]!)) } : { page };
}
