/**
 * Milliseconds on a monotonic clock, like `performance.now()` but from `process.hrtime`: the first
 * read of the `performance` global loads node:perf_hooks (about 1.4 ms of a command's start).
 */
export function now(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1e3 + nanoseconds / 1e6;
}

/** Something with a time limit: `expire` runs once `now()` passes `deadline`. */
export abstract class Deadline {
  abstract readonly deadline: number;
  older: Deadline | undefined = undefined;
  newer: Deadline | undefined = undefined;
  abstract expire(): void;
}

/**
 * Every pending deadline, checked by one unref'd timer set for the earliest, so a request only
 * joins and leaves a list, threaded through the entries (`older`, `newer`). With a `setTimeout` per request and one request in flight, each
 * `clearTimeout` emptied Node's timer list for that duration and the next call built it again.
 * Not a `Set`: with requests joining and leaving a long-lived Set at 16 in flight, V8's
 * young-generation collector kept nearly every request alive, with its socket buffers and
 * answer, until a full collection (`--trace-gc`: about 2 MB promoted per scavenge and a
 * mark-compact every ~1,500 calls; GC 16-20 µs per call, 4-6 µs with this list). A removed
 * entry's links are cleared, so an entry that reached the old generation points at nothing. The
 * timer does not keep the process alive: the request's socket does.
 */
let newest: Deadline | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;
let armedFor = Number.POSITIVE_INFINITY;

export function watch(entry: Deadline): void {
  entry.older = newest;
  if (newest) newest.newer = entry;
  newest = entry;
  if (entry.deadline < armedFor) arm(entry.deadline);
}

// A second call does nothing.
export function unwatch(entry: Deadline): void {
  const { older, newer } = entry;
  if (newer) newer.older = older;
  else if (newest === entry) newest = older;
  else return;
  if (older) older.newer = newer;
  entry.older = undefined;
  entry.newer = undefined;
}

function arm(at: number): void {
  if (timer !== undefined) clearTimeout(timer);
  armedFor = at;
  timer = setTimeout(check, Math.max(1, Math.ceil(at - now())));
  timer.unref();
}

/** Expires what is due (after the walk, so an expiry cannot change the list under it) and sets the timer for the next earliest. */
function check(): void {
  timer = undefined;
  armedFor = Number.POSITIVE_INFINITY;
  const time = now();
  const due: Deadline[] = [];
  let next = Number.POSITIVE_INFINITY;
  for (let entry = newest; entry; entry = entry.older) {
    if (entry.deadline <= time) due.push(entry);
    else if (entry.deadline < next) next = entry.deadline;
  }
  for (const entry of due) {
    unwatch(entry);
    entry.expire();
  }
  if (next < armedFor) arm(next);
}
