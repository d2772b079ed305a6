import { type HeaderSet, type HeaderSource, headerSet, text } from './headers.js';
import { defaultEnv, type Env } from './invocation.js';

/** The environment variable our deploy sets to the function's affinity header name (HEADER_FIELD). */
export const SESSION_HEADER_ENV = 'FCS_SESSION_HEADER';
/** The cookie FC's gateway sets for GENERATED_COOKIE affinity. */
export const SESSION_COOKIE = 'x-fc-cookie-session-id';
/** The header of MCP streamable-HTTP sessions. */
export const MCP_SESSION_HEADER = 'mcp-session-id';

export type SessionSource = 'header' | 'cookie' | 'mcp';

export interface Session {
  readonly id: string;
  readonly source: SessionSource;
  /** The header that carried the id: the affinity header's name, `cookie` or `mcp-session-id`. */
  readonly header: string;
}

export interface SessionOptions {
  /** The affinity header name (HEADER_FIELD); defaults to `$FCS_SESSION_HEADER`. */
  readonly header?: string;
  /** Where `FCS_SESSION_HEADER` is read from; defaults to `process.env`. */
  readonly env?: Env;
}

/** Visible ASCII without separators; a header sent twice (`a, b`) is therefore no id. */
function sessionId(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const quoted = value.length > 1 && value.startsWith('"') && value.endsWith('"');
  const unquoted = quoted ? value.slice(1, -1) : value;
  if (unquoted.length === 0 || unquoted.length > 256) return undefined;
  for (let i = 0; i < unquoted.length; i++) {
    const code = unquoted.charCodeAt(i);
    if (code < 0x21 || code > 0x7e || code === 0x2c || code === 0x3b) return undefined;
  }
  return unquoted;
}

function cookieValue(cookies: string | undefined, name: string): string | undefined {
  for (const pair of cookies?.split(';') ?? []) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return text(pair.slice(at + 1));
  }
  return undefined;
}

export function sessionFromHeaders({ lookup: header }: HeaderSet, options: SessionOptions): Session | undefined {
  const name = text(options.header ?? (options.env ?? defaultEnv())[SESSION_HEADER_ENV])?.toLowerCase();
  if (name !== undefined) {
    const fromHeader = sessionId(header(name));
    if (fromHeader !== undefined) return { id: fromHeader, source: 'header', header: name };
  }
  const fromCookie = sessionId(cookieValue(header('cookie'), SESSION_COOKIE));
  if (fromCookie !== undefined) return { id: fromCookie, source: 'cookie', header: 'cookie' };
  const fromMcp = sessionId(header(MCP_SESSION_HEADER));
  return fromMcp === undefined ? undefined : { id: fromMcp, source: 'mcp', header: MCP_SESSION_HEADER };
}

/**
 * Finds the request's session: the affinity header (from `options.header` or `$FCS_SESSION_HEADER`),
 * then the `x-fc-cookie-session-id` cookie, then `Mcp-Session-Id`. Never throws.
 */
export function readSession(source: HeaderSource, options: SessionOptions = {}): Session | undefined {
  return sessionFromHeaders(headerSet(source), options);
}
