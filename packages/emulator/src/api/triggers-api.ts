import { type ApiRequest, queryOf } from '../http/api-request.js';
import { json, type Reply } from '../http/reply.js';
import { isoSeconds } from '../ids.js';
import { parseCreateTrigger, parseUpdateTrigger } from '../model/trigger-input.js';
import { jsonObject } from '../model/validate.js';
import type { TriggerRecord } from '../state/records.js';
import { queryInt } from './query.js';
import type { Services } from './services.js';

/** A trigger as FC's GetTrigger returns it; HTTP triggers carry the URL that reaches them here. */
function triggerView(s: Services, record: TriggerRecord): Record<string, unknown> {
  const { region, accountId } = s.options;
  const url = `${s.endpoint()}/http/${encodeURIComponent(record.functionName)}`;
  return {
    triggerName: record.triggerName,
    triggerType: record.triggerType,
    triggerId: record.triggerId,
    triggerConfig: record.triggerConfig,
    qualifier: record.qualifier,
    description: record.description ?? '',
    ...(record.invocationRole === undefined ? {} : { invocationRole: record.invocationRole }),
    ...(record.sourceArn === undefined ? {} : { sourceArn: record.sourceArn }),
    targetArn: `acs:fc:${region}:${accountId}:functions/${record.functionName}`,
    status: 'OK',
    createdTime: isoSeconds(record.createdMs),
    lastModifiedTime: isoSeconds(record.lastModifiedMs),
    ...(record.triggerType === 'http' ? { httpTrigger: { urlInternet: url, urlIntranet: url } } : {}),
  };
}

export async function createTrigger(s: Services, request: ApiRequest, functionName: string): Promise<Reply> {
  const input = parseCreateTrigger(jsonObject(request.body));
  s.functions.get(functionName);
  return json(200, triggerView(s, await s.triggers.create(functionName, input)));
}

export function getTrigger(s: Services, _request: ApiRequest, functionName: string, name: string): Reply {
  s.functions.get(functionName);
  return json(200, triggerView(s, s.triggers.get(functionName, name)));
}

export async function updateTrigger(
  s: Services,
  request: ApiRequest,
  functionName: string,
  name: string,
): Promise<Reply> {
  const body = jsonObject(request.body);
  s.functions.get(functionName);
  const input = parseUpdateTrigger(body, s.triggers.get(functionName, name).triggerType);
  return json(200, triggerView(s, await s.triggers.update(functionName, name, input)));
}

export async function deleteTrigger(
  s: Services,
  _request: ApiRequest,
  functionName: string,
  name: string,
): Promise<Reply> {
  s.functions.get(functionName);
  await s.triggers.delete(functionName, name);
  return { status: 204 };
}

export function listTriggers(s: Services, request: ApiRequest, functionName: string): Reply {
  s.functions.get(functionName);
  const query = queryOf(request);
  const limit = queryInt(query, 'limit', 1, 100, 20);
  const prefix = query.get('prefix') ?? undefined;
  const nextToken = query.get('nextToken') || undefined;
  const page = s.triggers.list(functionName, {
    limit,
    ...(prefix ? { prefix } : {}),
    ...(nextToken ? { nextToken } : {}),
  });
  return json(200, {
    triggers: page.records.map((record) => triggerView(s, record)),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  });
}
