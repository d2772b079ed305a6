import { type ApiRequest, decodePathSegment } from '../http/api-request.js';
import type { Reply } from '../http/reply.js';
import { sessionIdReplyHeaders } from '../invoke/affinity-keys.js';
import { httpTriggerResponse } from '../invoke/http-event.js';
import { isNodejs } from '../instances/spec.js';
import type { Services } from './services.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'upgrade',
  'proxy-connection',
]);

/** `/http/{functionName}/{rest...}` -> the function name and the path the function sees. */
export function parseHttpTriggerPath(path: string): { functionName: string; functionPath: string } | undefined {
  const match = /^\/http\/([^/]+)(\/.*)?$/.exec(path);
  if (!match) return undefined;
  return { functionName: decodePathSegment(match[1]!), functionPath: match[2] ?? '/' };
}

/**
 * The HTTP-trigger route: anonymous, any method; the session affinity of the function decides
 * the instance (and hands out generated ids) like FC's gateway. Custom runtimes get the request
 * as it came; built-in runtimes get FC's v1 event and answer `{statusCode, headers, body}`.
 */
export async function httpTrigger(
  s: Services,
  request: ApiRequest,
  functionName: string,
  functionPath: string,
): Promise<Reply> {
  const entry = s.functions.get(functionName);
  const result = await s.invoker.invoke({
    entry,
    requestId: request.requestId,
    body: request.body,
    headers: request.headers,
    logTail: false,
    web: {
      method: request.method,
      path: functionPath,
      query: request.rawQuery,
      headers: request.headers,
      body: request.body,
      sourceIp: (request.req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      httpVersion: request.req.httpVersion,
      basePath: `/http/${encodeURIComponent(functionName)}`,
    },
  });
  request.ran = { functionName, sessionId: result.session?.id, instanceId: result.instanceId };
  const added: Record<string, string> = { 'x-fc-request-id': request.requestId };
  if (result.instanceId) added['x-fc-instance-id'] = result.instanceId;
  if (result.session?.created)
    Object.assign(
      added,
      sessionIdReplyHeaders(entry.affinity, undefined, result.session.id, result.session.ttlSeconds),
    );

  if (result.instanceFailed || (result.errorType && isNodejs(entry.pool.current.runtime))) {
    const headers = {
      ...added,
      'x-fc-error-type': result.errorType ?? 'UnhandledInvocationError',
      'content-type': 'application/json',
    };
    return { status: 502, headers, body: result.body };
  }
  if (isNodejs(entry.pool.current.runtime)) {
    const shaped = httpTriggerResponse(result.body);
    const own = shaped.headers ?? {};
    return { status: shaped.status, headers: { ...own, ...mergeCookies(own, added) }, body: shaped.body ?? '' };
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  }
  return { status: result.status, headers: { ...headers, ...mergeCookies(headers, added) }, body: result.body };
}

/** Adds the emulator's headers; a generated session cookie joins the function's own Set-Cookie values. */
function mergeCookies(
  own: Record<string, string | string[] | number | undefined>,
  added: Record<string, string>,
): Record<string, string | string[]> {
  const cookie = added['set-cookie'];
  const existing = own['set-cookie'];
  if (cookie === undefined || existing === undefined) return added;
  return { ...added, 'set-cookie': [...(Array.isArray(existing) ? existing : [String(existing)]), cookie] };
}
