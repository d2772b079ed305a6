import { readRequest, type RequestOptions, runWithRequest } from './request.js';

/**
 * Wraps a fetch-style handler `(request, ...rest) => Response`, such as Hono's `app.fetch`, so that
 * everything it calls can use `currentRequest()`. Extra arguments and the result pass through.
 */
export function wrapFetch<A extends unknown[], R>(
  handler: (request: Request, ...rest: A) => R,
  options: RequestOptions = {},
): (request: Request, ...rest: A) => R {
  return (request, ...rest) => runWithRequest(readRequest(request, options), () => handler(request, ...rest));
}
