import { AsyncResource } from 'node:async_hooks';

interface Emitter {
  emit(event: string | symbol, ...args: unknown[]): boolean;
}

/**
 * Makes every later event of `emitter` run in the async context current now. Node emits a request's
 * events (`end`, `close`, ...) in the context the connection was accepted in, so without this a
 * listener such as `req.on('end', ...)` would not see the current request.
 */
export function bindEvents(emitter: object): void {
  const target = emitter as Emitter;
  const scope = new AsyncResource('fc-sessions.request');
  const emit = target.emit;
  target.emit = function (this: unknown, event, ...args) {
    return scope.runInAsyncScope(emit, this, event, ...args);
  };
}
