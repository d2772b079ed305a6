import type { IncomingMessage, ServerResponse } from 'node:http';
import { bindEvents } from './bind-events.js';
import { readRequest, type RequestOptions, runWithRequest } from './request.js';

function enter<R>(req: IncomingMessage, res: ServerResponse, options: RequestOptions, fn: () => R): R {
  return runWithRequest(readRequest(req, options), () => {
    bindEvents(req);
    bindEvents(res);
    return fn();
  });
}

/** Wraps a Node request listener, e.g. for `http.createServer(wrapListener(app))`. */
export function wrapListener<Req extends IncomingMessage, Res extends ServerResponse, R>(
  listener: (req: Req, res: Res) => R,
  options: RequestOptions = {},
): (req: Req, res: Res) => R {
  return (req, res) => enter(req, res, options, () => listener(req, res));
}

/** Express / Connect middleware: `app.use(middleware())`, first in the chain. */
export function middleware(
  options: RequestOptions = {},
): (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void {
  return (req, res, next) => enter(req, res, options, () => next());
}

/** Koa middleware: `app.use(koaMiddleware())`, first in the chain. */
export function koaMiddleware(
  options: RequestOptions = {},
): (
  ctx: { readonly req: IncomingMessage; readonly res: ServerResponse },
  next: () => Promise<unknown>,
) => Promise<unknown> {
  return (ctx, next) => enter(ctx.req, ctx.res, options, next);
}
