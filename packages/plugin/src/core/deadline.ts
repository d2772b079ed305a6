import { setMaxListeners } from 'node:events';

export interface Deadline {
  readonly signal: AbortSignal;
  /** true once the deadline itself (not the parent signal) fired. */
  readonly expired: boolean;
  clear(): void;
}

/** An AbortSignal that fires after `ms` or when `parent` aborts, whichever comes first. */
export function withDeadline(ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  // Every call in flight (up to `concurrency`) listens on this one signal.
  setMaxListeners(0, controller.signal);
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new Error(`deadline of ${ms} ms passed`));
  }, ms);
  const onParent = () => controller.abort(parent?.reason);
  if (parent?.aborted) onParent();
  else parent?.addEventListener('abort', onParent, { once: true });
  return {
    signal: controller.signal,
    get expired() {
      return expired;
    },
    clear() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParent);
    },
  };
}
