import { ApiError } from '../errors.js';
import type { FunctionEntry } from '../functions/function-registry.js';
import { type ApiRequest, decodePathSegment } from '../http/api-request.js';
import type { Reply } from '../http/reply.js';
import { newTaskId } from '../ids.js';
import { invokeHeaders, resultHeaders, startAsync, taskIdHeader } from './invoke-api.js';
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

const STATEFUL_ID = 'x-fc-stateful-async-invocation-id';

/**
 * InvokeFunction on the FC 2.0 path, with FC 2.0's response headers. An async call is a task whose
 * id is `X-Fc-Stateful-Async-Invocation-Id` (generated when absent), readable through FC 3.0's
 * GetAsyncTask on the function the service/function pair names.
 */
export async function invokeFc2(s: Services, request: ApiRequest, target: Fc2Target): Promise<Reply> {
  const { async, logTail } = invokeHeaders(request);
  const resolved = s.versions.resolve(resolveFunction(s, target).record.functionName, target.qualifier);
  const { entry } = resolved;
  const statefulId = taskIdHeader(request, STATEFUL_ID);
  if (async) {
    const taskId = statefulId ?? newTaskId();
    startAsync(s, resolved, request, taskId, { [STATEFUL_ID]: taskId });
    return {
      status: 202,
      headers: { 'X-Fc-Request-Id': request.requestId, 'X-Fc-Stateful-Async-Invocation-Id': taskId },
    };
  }
  const result = await s.invoker.invoke({
    entry,
    requestId: request.requestId,
    body: request.body,
    headers: request.headers,
    logTail,
    scope: { qualifier: resolved.qualifier, versionId: resolved.versionId },
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(resultHeaders(entry, request, result))) {
    headers[
      name.startsWith('x-fc-')
        ? name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase())
        : name
    ] = value;
  }
  if (statefulId) headers['X-Fc-Stateful-Async-Invocation-Id'] = statefulId;
  headers['content-type'] = String(result.headers['content-type'] ?? 'application/octet-stream');
  return { status: 200, headers, body: result.body };
}
