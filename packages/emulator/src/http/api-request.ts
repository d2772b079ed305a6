import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

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
}

export function queryOf(request: ApiRequest): URLSearchParams {
  return new URLSearchParams(request.rawQuery);
}

/** One query parameter, without parsing the query when there is none (the usual invocation). */
export function queryValue(request: ApiRequest, name: string): string | null {
  return request.rawQuery === '' ? null : queryOf(request).get(name);
}

export function header(request: ApiRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
