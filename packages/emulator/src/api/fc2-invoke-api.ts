import { ApiError } from '../errors.js';
import type { FunctionEntry } from '../functions/function-registry.js';
import { type ApiRequest, decodePathSegment, header } from '../http/api-request.js';
import type { Reply } from '../http/reply.js';
import { checkQualifier } from '../model/session-input.js';
import { invokeHeaders, resultHeaders, startAsync } from './invoke-api.js';
import type { Services } from './services.js';

const FC2_PATH = /^\/2016-08-15\/services\/([^/]+)\/functions\/([^/]+)\/invocations\/?$/;

export interface Fc2Target {
  readonly service: string;
  readonly qualifier: string | undefined;
  readonly functionName: string;
}

/** `/2016-08-15/services/{service}[.{qualifier}]/functions/{fn}/invocations`, or undefined for other FC 2.0 paths. */
export function parseFc2Path(path: string): Fc2Target | undefined {
  const match = FC2_PATH.exec(path);
  if (!match) return undefined;
  const serviceAndQualifier = decodePathSegment(match[1]!);
  const dot = serviceAndQualifier.indexOf('.');
  return {
    service: dot < 0 ? serviceAndQualifier : serviceAndQualifier.slice(0, dot),
    qualifier: dot < 0 ? undefined : serviceAndQualifier.slice(dot + 1),
    functionName: decodePathSegment(match[2]!),
  };
}

/** The FC 3.0 function an FC 2.0 service/function pair names: the first name `fc2FunctionNames` gives that exists. */
function resolveFunction(s: Services, target: Fc2Target): FunctionEntry {
  const tried = s.options.fc2FunctionNames(target.service, target.functionName);
  for (const name of tried) {
    const entry = s.functions.find(name);
    if (entry) return entry;
  }
  throw new ApiError(
    404,
    'FunctionNotFound',
    `service "${target.service}" function "${target.functionName}" does not exist (looked for ${tried.map((n) => `"${n}"`).join(', ')})`,
  );
}

/** InvokeFunction on the FC 2.0 path, with FC 2.0's response headers. */
export async function invokeFc2(s: Services, request: ApiRequest, target: Fc2Target): Promise<Reply> {
  checkQualifier(target.qualifier);
  const { async, logTail } = invokeHeaders(request);
  const entry = resolveFunction(s, target);
  const statefulId = header(request, 'x-fc-stateful-async-invocation-id');
  if (async) {
    startAsync(s, entry, request, statefulId ? { 'x-fc-stateful-async-invocation-id': statefulId } : {});
    return {
      status: 202,
      headers: {
        'X-Fc-Request-Id': request.requestId,
        ...(statefulId ? { 'X-Fc-Stateful-Async-Invocation-Id': statefulId } : {}),
      },
    };
  }
  const result = await s.invoker.invoke({
    entry,
    requestId: request.requestId,
    body: request.body,
    headers: request.headers,
    logTail,
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(resultHeaders(entry, request, result))) {
    headers[
      name.startsWith('x-fc-')
        ? name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase())
        : name
    ] = value;
  }
  headers['X-Fc-Invocation-Service-Version'] = 'LATEST';
  if (statefulId) headers['X-Fc-Stateful-Async-Invocation-Id'] = statefulId;
  headers['content-type'] = String(result.headers['content-type'] ?? 'application/octet-stream');
  return { status: 200, headers, body: result.body };
}
