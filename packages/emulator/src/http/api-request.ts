import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { parseQuery } from '@fc-sessions/client/signing';
import { invalidArgument } from '../errors.js';

/** One incoming request as the routes see it: the raw URL split once, the body read once. */
export interface ApiRequest {
  readonly req: IncomingMessage;
  readonly method: string;
  /** Path and query exactly as sent (what signatures cover). */
  readonly url: string;
  /** The path, still percent-encoded. */
  readonly path: string;
  /** The query string without `?`. */
  readonly rawQuery: string;
  readonly headers: IncomingHttpHeaders;
  readonly requestId: string;
  body: Buffer;
  /** Where an invocation ran, set by the invoke routes for the dashboard's invocation stream. */
  ran?: {
    readonly functionName: string;
    readonly sessionId: string | undefined;
    readonly instanceId: string | undefined;
  };
}

/**
 * The query, decoded exactly as the signature decoded it (`+` stays a plus sign). A parameter given
 * twice is refused: the signature sorts repeated values, so it cannot say which one comes first.
 */
export function queryOf(request: ApiRequest): URLSearchParams {
  const pairs = parseQuery(request.rawQuery);
  if (!pairs) throw invalidArgument(`the query "${request.rawQuery.slice(0, 60)}" is not valid percent-encoding`);
  const seen = new Set<string>();
  for (const [name] of pairs) {
    if (seen.has(name)) throw invalidArgument(`the query parameter ${name.slice(0, 40)} must be given at most once`);
    seen.add(name);
  }
  return new URLSearchParams(pairs);
}

/** One query parameter, without parsing the query when there is none (the usual invocation). */
export function queryValue(request: ApiRequest, name: string): string | null {
  return request.rawQuery === '' ? null : queryOf(request).get(name);
}

export function header(request: ApiRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A percent-decoded path segment; malformed percent-encoding is 400 InvalidArgument quoting it. */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalidArgument(`the path segment "${segment.slice(0, 40)}" is not valid percent-encoding`);
  }
}
