import { randomBytes, randomUUID } from 'node:crypto';

const processTag = randomBytes(4).toString('hex');
let counter = randomBytes(5).readUIntBE(0, 5);

let prefixSecond = -1;
let prefix = '';

/** FC's request id shape: `1-<hex unix seconds>-<8 hex>-<12 hex>`. Unique per emulator process. */
export function newRequestId(): string {
  counter = (counter + 1) % 0x1000000000000;
  const second = Math.floor(Date.now() / 1000);
  if (second !== prefixSecond) {
    prefixSecond = second;
    prefix = `1-${second.toString(16)}-${processTag}-`;
  }
  return prefix + counter.toString(16).padStart(12, '0');
}

/** An instance id shaped like FC's container ids: `c-<8 hex>-<8 hex>-<12 hex>`. */
export function newInstanceId(): string {
  const hex = randomBytes(14).toString('hex');
  return `c-${hex.slice(0, 8)}-${hex.slice(8, 16)}-${hex.slice(16, 28)}`;
}

/** A generated session id: 32 lower-case hex characters. */
export function newSessionId(): string {
  return randomBytes(16).toString('hex');
}

export function newFunctionId(): string {
  return randomUUID();
}

/** ISO-8601 UTC with whole seconds, as FC prints times: `2025-04-01T08:15:27Z`. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

let isoSecond = Number.NaN;
let isoPrefix = '';

/** `new Date(ms).toISOString()`, with the date and time text made once a second. */
export function isoMillis(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== isoSecond) {
    isoSecond = second;
    isoPrefix = new Date(second * 1000).toISOString().slice(0, 19);
  }
  return `${isoPrefix}.${String(ms - second * 1000).padStart(3, '0')}Z`;
}

/** A generated async task id: starts with a letter, as FC's rule for task ids asks. */
export function newTaskId(): string {
  return `task-${randomBytes(12).toString('hex')}`;
}
