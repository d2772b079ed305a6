import { invalidArgument } from '../errors.js';
import type { FunctionEntry } from '../functions/function-registry.js';
import type { Target } from '../functions/versions.js';
import { type ApiRequest, header, queryValue } from '../http/api-request.js';
import type { Reply } from '../http/reply.js';
import { newTaskId } from '../ids.js';
import type { AsyncTask } from '../invoke/async-tasks.js';
import { sessionIdReplyHeaders } from '../invoke/affinity-keys.js';
import type { InvocationResult } from '../invoke/invoker.js';
import type { Services } from './services.js';

const ASYNC_TASK_ID = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;

/** A task id header checked by FC's rule (a letter or `_` first, then letters, digits, `_`, `-`; at most 128). */
export function taskIdHeader(request: ApiRequest, name: string): string | undefined {
  const taskId = header(request, name);
  if (taskId === undefined) return undefined;
  if (!ASYNC_TASK_ID.test(taskId)) {
    throw invalidArgument(
      `header ${name} must start with a letter or "_" and hold only letters, digits, "_" and "-", at most 128 characters; got "${taskId.slice(0, 40)}"`,
    );
  }
  return taskId;
}

export interface InvokeHeaders {
  readonly async: boolean;
  readonly logTail: boolean;
}

function oneOf(request: ApiRequest, name: string, allowed: readonly string[], fallback: string): string {
  const value = header(request, name);
  if (value === undefined || value === '') return fallback;
  for (const option of allowed) if (option === value || option.toLowerCase() === value.toLowerCase()) return option;
  throw invalidArgument(`header ${name} must be one of ${allowed.join(', ')}; got "${value.slice(0, 40)}"`);
}

/** `x-fc-invocation-type` (Sync|Async) and `x-fc-log-type` (None|Tail), checked. */
export function invokeHeaders(request: ApiRequest): InvokeHeaders {
  return {
    async: oneOf(request, 'x-fc-invocation-type', ['Sync', 'Async'], 'Sync') === 'Async',
    logTail: oneOf(request, 'x-fc-log-type', ['None', 'Tail'], 'None') === 'Tail',
  };
}

/** The body limit for an invocation, known from its headers before the body is read. */
export function invokeBodyLimit(s: Services, request: ApiRequest): number {
  return header(request, 'x-fc-invocation-type')?.toLowerCase() === 'async'
    ? s.options.limits.asyncPayloadBytes
    : s.options.limits.syncPayloadBytes;
}

function asyncDelayMs(request: ApiRequest): number {
  const text = header(request, 'x-fc-async-delay');
  if (text === undefined || text === '') return 0;
  if (!/^\d+$/.test(text) || Number(text) > 3600)
    throw invalidArgument(`header x-fc-async-delay must be an integer number of seconds in [0, 3600]; got "${text}"`);
  return Number(text) * 1000;
}

/**
 * Starts an async invocation in the background as task `taskId` (sessions are ignored, as in FC);
 * `instanceHeaders` name the task to the function. The task is watched and stopped by its id.
 */
export function startAsync(
  s: Services,
  target: Target,
  request: ApiRequest,
  taskId: string,
  instanceHeaders: Record<string, string>,
): AsyncTask {
  const delay = asyncDelayMs(request);
  const { entry } = target;
  const functionName = entry.record.functionName;
  const task = s.tasks.enqueue(functionName, taskId, target.qualifier, request.requestId, request.body);
  const invocation = {
    entry,
    requestId: request.requestId,
    body: request.body,
    headers: request.headers,
    logTail: false,
    ignoreSessions: true,
    instanceHeaders,
    onInstance: (instance: Parameters<AsyncTask['bind']>[0], used: FunctionEntry) => task.bind(instance, used),
  };
  s.background.run(async () => {
    if (!task.begin()) return;
    try {
      const result = await s.invoker.invoke(invocation);
      task.finish(result);
      if (result.errorType)
        s.options.onDiagnostic?.(`async task ${taskId} of ${functionName} failed: ${result.errorType}`);
    } catch (error) {
      task.fail(error);
    }
  }, delay);
  return task;
}

/** The `x-fc-*` headers every synchronous invocation answer carries. */
export function resultHeaders(
  entry: FunctionEntry,
  request: ApiRequest,
  result: InvocationResult,
): Record<string, string> {
  request.ran = {
    functionName: entry.record.functionName,
    sessionId: result.session?.id,
    instanceId: result.instanceId,
  };
  const headers: Record<string, string> = {
    'x-fc-request-id': request.requestId,
    'x-fc-code-checksum': entry.record.codeChecksum,
    'x-fc-invocation-service-version': result.versionId ?? 'LATEST',
    'x-fc-max-memory-usage': result.maxMemoryMb.toFixed(2),
    'x-fc-invocation-duration': String(result.durationMs),
  };
  if (result.instanceId) headers['x-fc-instance-id'] = result.instanceId;
  if (result.errorType) headers['x-fc-error-type'] = result.errorType;
  if (result.logResult !== undefined) headers['x-fc-log-result'] = result.logResult;
  if (result.session?.created) {
    Object.assign(
      headers,
      sessionIdReplyHeaders(entry.affinity, undefined, result.session.id, result.session.ttlSeconds),
    );
  }
  return headers;
}

/** InvokeFunction (FC 3.0) on any qualifier: sync answers the function's bytes, async answers 202 with a task id. */
export async function invokeFunction(s: Services, request: ApiRequest, functionName: string): Promise<Reply> {
  const target = s.versions.resolve(functionName, queryValue(request, 'qualifier'));
  const { async, logTail } = invokeHeaders(request);
  const { entry } = target;
  if (async) {
    const taskId = taskIdHeader(request, 'x-fc-async-task-id') ?? newTaskId();
    startAsync(s, target, request, taskId, { 'x-fc-async-task-id': taskId });
    return { status: 202, headers: { 'x-fc-request-id': request.requestId, 'x-fc-async-task-id': taskId } };
  }
  const result = await s.invoker.invoke({
    entry,
    requestId: request.requestId,
    body: request.body,
    headers: request.headers,
    logTail,
    scope: { qualifier: target.qualifier, versionId: target.versionId },
  });
  const headers: Record<string, string> = resultHeaders(entry, request, result);
  headers['content-type'] = String(result.headers['content-type'] ?? 'application/octet-stream');
  return { status: 200, headers, body: result.body };
}
