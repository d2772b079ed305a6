const pending: Array<() => void> = [];

function runPending(): void {
  for (const fn of pending.splice(0)) fn();
}

/**
 * Runs `fn` once the events at hand are handled: one `setImmediate` for everything queued in this
 * turn of the event loop. Socket writes go through it, so a process woken by the first of them
 * finds the others that were ready in the same turn instead of being woken once for each.
 */
export function atEndOfTurn(fn: () => void): void {
  if (pending.push(fn) === 1) setImmediate(runPending);
}
