import type { IncomingHttpHeaders } from 'node:http';
import { type Affinity, COOKIE_NAME, MCP_SESSION_HEADER } from '../model/affinity.js';

function single(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === '' ? undefined : text.trim();
}

export function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** The session id a request carries under the function's affinity (header, cookie or Mcp-Session-Id). */
export function requestSessionId(affinity: Affinity, headers: IncomingHttpHeaders): string | undefined {
  switch (affinity.type) {
    case 'HEADER_FIELD':
      return single(headers[affinity.headerName!]);
    case 'GENERATED_COOKIE':
      return cookieValue(single(headers['cookie']), COOKIE_NAME);
    case 'MCP_STREAMABLE':
      return single(headers[MCP_SESSION_HEADER]);
    default:
      return undefined;
  }
}

/** The response headers that hand a generated session id back to the caller. */
export function sessionIdReplyHeaders(
  affinity: Affinity,
  headerFieldName: string | undefined,
  sessionId: string,
  ttlSeconds: number,
): Record<string, string> {
  if (affinity.type === 'HEADER_FIELD') return { [headerFieldName ?? affinity.headerName!]: sessionId };
  if (affinity.type === 'GENERATED_COOKIE')
    return { 'set-cookie': `${COOKIE_NAME}=${sessionId}; Max-Age=${ttlSeconds}` };
  return {};
}
