import type { HttpTriggerConfig } from '@fc-sessions/client';
import { ApiError } from '../errors.js';
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
 * Which HTTP trigger of the function serves a request to `/http/{functionName}/...`: one that
 * allows the method, an anonymous one first (else the request must be signed with
 * ACS3-HMAC-SHA256, FC's `function` auth); it runs the trigger's qualifier. A function without an
 * HTTP trigger is not served (404), nor a method no trigger allows (405).
 */
export function httpTriggerOf(
  s: Services,
  functionName: string,
  method: string,
): { auth: 'acs3' | 'none'; qualifier: string } {
  s.functions.get(functionName);
  const configs = s.triggers.ofType(functionName, 'http').map((record) => ({
    ...(JSON.parse(record.triggerConfig) as Pick<HttpTriggerConfig, 'authType' | 'methods'>),
    qualifier: record.qualifier,
  }));
  if (configs.length === 0)
    throw new ApiError(
      404,
      'TriggerNotFound',
      `function "${functionName}" has no HTTP trigger; /http/${functionName}/ serves only functions with one (CreateTrigger, triggerType http)`,
    );
  const allowing = configs.filter((config) => (config.methods as string[]).includes(method));
  if (allowing.length === 0)
    throw new ApiError(
      405,
      'MethodNotAllowed',
      `the HTTP trigger of function "${functionName}" does not allow ${method} (methods: ${[...new Set(configs.flatMap((c) => c.methods))].join(', ')})`,
    );
  const chosen = allowing.find((config) => config.authType === 'anonymous') ?? allowing[0]!;
  return { auth: chosen.authType === 'anonymous' ? 'none' : 'acs3', qualifier: chosen.qualifier };
}

/**
 * The HTTP-trigger route, once `httpTriggerOf` let the request in; the session affinity of the function decides
 * the instance (and hands out generated ids) like FC's gateway. Custom runtimes get the request
 * as it came; built-in runtimes get FC's v1 event and answer `{statusCode, headers, body}`.
 */
export async function httpTrigger(
  s: Services,
  request: ApiRequest,
  functionName: string,
  functionPath: string,
  qualifier: string,
): Promise<Reply> {
  const target = s.versions.resolve(functionName, qualifier);
  const { entry } = target;
  const result = await s.invoker.invoke({
    entry,
    scope: { qualifier: target.qualifier, versionId: target.versionId },
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
