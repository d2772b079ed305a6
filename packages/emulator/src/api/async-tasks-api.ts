import { ASYNC_TASK_STATUSES } from '@fc-sessions/client/limits';
import { invalidArgument } from '../errors.js';
import { queryOf, type ApiRequest } from '../http/api-request.js';
import { json, type Reply } from '../http/reply.js';
import { isoSeconds } from '../ids.js';
import type { AsyncTask } from '../invoke/async-tasks.js';
import { parseAsyncInvokeConfig } from '../model/version-input.js';
import { jsonObject } from '../model/validate.js';
import type { AsyncInvokeConfigRecord } from '../state/records.js';
import { queryInt, queryOneOf } from './query.js';
import type { Services } from './services.js';

const TASK_ID = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;

function functionArn(s: Services, functionName: string): string {
  return `acs:fc:${s.options.region}:${s.options.accountId}:functions/${functionName}`;
}

/** A task as the SDK's `AsyncTask` model has it. */
function taskView(s: Services, task: AsyncTask, includePayload: boolean): Record<string, unknown> {
  return {
    taskId: task.taskId,
    status: task.status,
    functionArn: functionArn(s, task.functionName),
    qualifier: task.qualifier,
    requestId: task.requestId,
    ...(task.instanceId ? { instanceId: task.instanceId } : {}),
    startedTime: task.startedMs ?? task.enqueuedMs,
    ...(task.endMs !== undefined ? { endTime: task.endMs } : {}),
    ...(task.endMs !== undefined && task.startedMs !== undefined ? { durationMs: task.endMs - task.startedMs } : {}),
    alreadyRetriedTimes: 0,
    events: task.events,
    ...(includePayload ? { taskPayload: task.payload.toString('utf8') } : {}),
    ...(task.returnPayload !== undefined ? { returnPayload: task.returnPayload } : {}),
    ...(task.errorMessage !== undefined ? { taskErrorMessage: task.errorMessage } : {}),
  };
}

function checkTaskId(id: string): void {
  if (!TASK_ID.test(id))
    throw invalidArgument(`taskId must match [A-Za-z_][A-Za-z0-9_-]{0,127}; got "${id.slice(0, 40)}"`);
}

/** The qualifier of a task or config call: absent means LATEST; versions and aliases must exist. */
function qualifierOf(s: Services, request: ApiRequest, name: string): string {
  const target = s.versions.resolve(name, queryOf(request).get('qualifier'));
  return target.qualifier;
}

export function getAsyncTask(s: Services, request: ApiRequest, name: string, id: string): Reply {
  checkTaskId(id);
  s.functions.get(name);
  const qualifier = queryOf(request).get('qualifier') || undefined;
  return json(200, taskView(s, s.tasks.get(name, id, qualifier), true));
}

export function stopAsyncTask(s: Services, request: ApiRequest, name: string, id: string): Reply {
  checkTaskId(id);
  s.functions.get(name);
  s.tasks.get(name, id, queryOf(request).get('qualifier') || undefined).stop();
  return { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
}

export function listAsyncTasks(s: Services, request: ApiRequest, name: string): Reply {
  const query = queryOf(request);
  s.functions.get(name);
  const time = (field: string) =>
    query.get(field) ? queryInt(query, field, 0, Number.MAX_SAFE_INTEGER, 0) : undefined;
  const includePayload = queryOneOf(query, 'includePayload', ['true', 'false']) === 'true';
  const page = s.tasks.list(name, {
    limit: queryInt(query, 'limit', 1, 100, 20),
    nextToken: query.get('nextToken') || undefined,
    prefix: query.get('prefix') || undefined,
    qualifier: query.get('qualifier') || undefined,
    status: queryOneOf(query, 'status', ASYNC_TASK_STATUSES),
    startedTimeBegin: time('startedTimeBegin'),
    startedTimeEnd: time('startedTimeEnd'),
    sortOrderByTime: (queryOneOf(query, 'sortOrderByTime', ['asc', 'desc']) ?? 'desc') as 'asc' | 'desc',
  });
  return json(200, {
    tasks: page.tasks.map((task) => taskView(s, task, includePayload)),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  });
}

function configView(s: Services, functionName: string, config: AsyncInvokeConfigRecord): Record<string, unknown> {
  const { qualifier, createdMs, lastModifiedMs, ...settings } = config;
  const arn = functionArn(s, functionName);
  return {
    ...settings,
    functionArn: qualifier === 'LATEST' ? arn : `${arn}/${qualifier}`,
    createdTime: isoSeconds(createdMs),
    lastModifiedTime: isoSeconds(lastModifiedMs),
  };
}

export async function putAsyncInvokeConfig(s: Services, request: ApiRequest, name: string): Promise<Reply> {
  const qualifier = qualifierOf(s, request, name);
  const input = parseAsyncInvokeConfig(jsonObject(request.body));
  return json(200, configView(s, name, await s.asyncConfigs.put(name, qualifier, input)));
}

export function getAsyncInvokeConfig(s: Services, request: ApiRequest, name: string): Reply {
  return json(200, configView(s, name, s.asyncConfigs.get(name, qualifierOf(s, request, name))));
}

export async function deleteAsyncInvokeConfig(s: Services, request: ApiRequest, name: string): Promise<Reply> {
  await s.asyncConfigs.delete(name, qualifierOf(s, request, name));
  return { status: 204 };
}

export function listAsyncInvokeConfigs(s: Services, request: ApiRequest): Reply {
  const query = queryOf(request);
  const functionName = query.get('functionName') || undefined;
  if (functionName) s.functions.get(functionName);
  const page = s.asyncConfigs.list({
    functionName,
    limit: queryInt(query, 'limit', 1, 100, 20),
    nextToken: query.get('nextToken') || undefined,
  });
  return json(200, {
    configs: page.configs.map((item) => configView(s, item.functionName, item.config)),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  });
}
