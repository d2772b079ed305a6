import { type HeaderSource, headerSet } from './headers.js';

/** The header the session keeper (`fcs keep --keep-alive invoke`) sends on its keep-alive invocations. */
export const KEEP_ALIVE_HEADER = 'x-fcs-keep-alive';
/** The event (body) of a keep-alive invocation: built-in runtimes see the event but no headers. */
export const KEEP_ALIVE_EVENT = '{"fcsKeepAlive":true}';

const MARKER = new TextEncoder().encode(KEEP_ALIVE_EVENT);

function isMarkerBody(body: string | Uint8Array): boolean {
  if (typeof body === 'string') return body.trim() === KEEP_ALIVE_EVENT;
  if (body.length !== MARKER.length) return false;
  return MARKER.every((byte, i) => body[i] === byte);
}

/**
 * Whether a request is the keeper's keep-alive: its event or body is `KEEP_ALIVE_EVENT`, or (for
 * requests with headers) it carries `KEEP_ALIVE_HEADER`. Answer it at once: the invocation has
 * already reset the session's idle clock. `input` is an event (text or bytes) or anything with
 * headers (a Fetch `Request`, a Node request, a header record); `body` is that request's body when
 * it has been read.
 */
export function isKeepAlive(input: HeaderSource | string | Uint8Array, body?: string | Uint8Array): boolean {
  if (typeof input === 'string' || input instanceof Uint8Array) return isMarkerBody(input);
  if (headerSet(input).lookup(KEEP_ALIVE_HEADER) !== undefined) return true;
  return body !== undefined && isMarkerBody(body);
}
