/** Something with a time limit: `expire` runs once `performance.now()` passes `deadline`. */
export interface Deadline {
  readonly deadline: number;
  expire(): void;
}

/**
 * Every pending deadline, checked by one unref'd timer set for the earliest, so a request only
 * joins and leaves a Set. With a `setTimeout` per request and one request in flight, each
 * `clearTimeout` emptied Node's timer list for that duration and the next call built it again
 * (a Timeout, a TimersList, a priority-queue insert and removal per request). The timer does not
 * keep the process alive: the request's socket does.
 */
const pending = new Set<Deadline>();
let timer: ReturnType<typeof setTimeout> | undefined;
let armedFor = Number.POSITIVE_INFINITY;

export function watch(entry: Deadline): void {
  pending.add(entry);
  if (entry.deadline < armedFor) arm(entry.deadline);
}

export function unwatch(entry: Deadline): void {
  pending.delete(entry);
}

function arm(at: number): void {
  if (timer !== undefined) clearTimeout(timer);
  armedFor = at;
  timer = setTimeout(check, Math.max(1, Math.ceil(at - performance.now())));
  timer.unref();
}

/** Expires what is due and sets the timer for the next earliest (a timer that fires early just re-arms). */
function check(): void {
  timer = undefined;
  armedFor = Number.POSITIVE_INFINITY;
  const now = performance.now();
  let next = Number.POSITIVE_INFINITY;
  for (const entry of pending) {
    if (entry.deadline <= now) {
      pending.delete(entry);
      entry.expire();
    } else if (entry.deadline < next) {
      next = entry.deadline;
    }
  }
  if (next < armedFor) arm(next);
}
