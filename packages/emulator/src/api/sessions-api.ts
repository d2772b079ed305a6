import { type ApiRequest, queryOf } from '../http/api-request.js';
import { json, type Reply } from '../http/reply.js';
import { checkQualifier, parseCreateSession, parseUpdateSession, sessionId } from '../model/session-input.js';
import { jsonObject } from '../model/validate.js';
import { sessionView } from '../sessions/session-view.js';
import { queryInt, queryOneOf } from './query.js';
import type { Services } from './services.js';

function qualified(request: ApiRequest): URLSearchParams {
  const query = queryOf(request);
  checkQualifier(query.get('qualifier'));
  return query;
}

export async function createSession(s: Services, request: ApiRequest, functionName: string): Promise<Reply> {
  qualified(request);
  const input = parseCreateSession(jsonObject(request.body));
  const entry = s.functions.get(functionName);
  return json(200, sessionView(await s.sessions.create(entry, input)));
}

export function getSession(s: Services, request: ApiRequest, functionName: string, id: string): Reply {
  qualified(request);
  s.functions.get(functionName);
  return json(200, sessionView(s.sessions.get(functionName, id)));
}

export async function updateSession(
  s: Services,
  request: ApiRequest,
  functionName: string,
  id: string,
): Promise<Reply> {
  qualified(request);
  const input = parseUpdateSession(jsonObject(request.body));
  s.functions.get(functionName);
  return json(200, sessionView(await s.sessions.update(functionName, id, input)));
}

export async function deleteSession(
  s: Services,
  request: ApiRequest,
  functionName: string,
  id: string,
): Promise<Reply> {
  qualified(request);
  s.functions.get(functionName);
  await s.sessions.delete(functionName, id);
  return { status: 204 };
}

export function listSessions(s: Services, request: ApiRequest, functionName: string): Reply {
  const query = qualified(request);
  const limit = queryInt(query, 'limit', 1, 100, 20);
  const nextToken = query.get('nextToken') || undefined;
  const idFilter = query.get('sessionId') || undefined;
  if (idFilter) sessionId(idFilter, 'sessionId');
  const sessionStatus = queryOneOf(query, 'sessionStatus', ['Active', 'Paused', 'Expired']);
  s.functions.get(functionName);
  const page = s.sessions.list(functionName, {
    limit,
    ...(nextToken ? { nextToken } : {}),
    ...(idFilter ? { sessionId: idFilter } : {}),
    ...(sessionStatus ? { sessionStatus } : {}),
  });
  return json(200, {
    sessions: page.records.map(sessionView),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  });
}

export async function pauseSession(s: Services, request: ApiRequest, functionName: string, id: string): Promise<Reply> {
  qualified(request);
  s.functions.get(functionName);
  return json(200, sessionView(await s.sessions.setPaused(functionName, id, true)));
}

export async function resumeSession(
  s: Services,
  request: ApiRequest,
  functionName: string,
  id: string,
): Promise<Reply> {
  queryOneOf(qualified(request), 'fileSystemOnly', ['true', 'false']);
  s.functions.get(functionName);
  return json(200, sessionView(await s.sessions.setPaused(functionName, id, false)));
}
