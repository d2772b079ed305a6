import { type ApiRequest, queryOf } from '../http/api-request.js';
import { json, type Reply } from '../http/reply.js';
import { parseCreateSession, parseUpdateSession, sessionId } from '../model/session-input.js';
import { jsonObject } from '../model/validate.js';
import { sessionView } from '../sessions/session-view.js';
import { queryInt, queryOneOf } from './query.js';
import type { Services } from './services.js';

/** The call's `qualifier`, checked to exist (absent: any qualifier, for reads; LATEST, for CreateSession). */
function qualifierOf(s: Services, request: ApiRequest, functionName: string): string | undefined {
  const qualifier = queryOf(request).get('qualifier') || undefined;
  s.versions.resolve(functionName, qualifier);
  return qualifier;
}

/** CreateSession on any qualifier: the session belongs to it, on an instance of the version it resolves to. */
export async function createSession(s: Services, request: ApiRequest, functionName: string): Promise<Reply> {
  const target = s.versions.resolve(functionName, queryOf(request).get('qualifier'));
  const input = parseCreateSession(jsonObject(request.body));
  const scope = { qualifier: target.qualifier, versionId: target.versionId };
  return json(200, sessionView(await s.sessions.create(target.entry, input, scope)));
}

export function getSession(s: Services, request: ApiRequest, functionName: string, id: string): Reply {
  const qualifier = qualifierOf(s, request, functionName);
  return json(200, sessionView(s.sessions.get(functionName, id, qualifier)));
}

export async function updateSession(
  s: Services,
  request: ApiRequest,
  functionName: string,
  id: string,
): Promise<Reply> {
  const qualifier = qualifierOf(s, request, functionName);
  const input = parseUpdateSession(jsonObject(request.body));
  return json(200, sessionView(await s.sessions.update(functionName, id, input, qualifier)));
}

export async function deleteSession(
  s: Services,
  request: ApiRequest,
  functionName: string,
  id: string,
): Promise<Reply> {
  await s.sessions.delete(functionName, id, qualifierOf(s, request, functionName));
  return { status: 204 };
}

export function listSessions(s: Services, request: ApiRequest, functionName: string): Reply {
  const qualifier = qualifierOf(s, request, functionName);
  const query = queryOf(request);
  const limit = queryInt(query, 'limit', 1, 100, 20);
  const nextToken = query.get('nextToken') || undefined;
  const idFilter = query.get('sessionId') || undefined;
  if (idFilter) sessionId(idFilter, 'sessionId');
  const sessionStatus = queryOneOf(query, 'sessionStatus', ['Active', 'Paused', 'Expired']);
  const page = s.sessions.list(functionName, {
    limit,
    ...(qualifier ? { qualifier } : {}),
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
  const qualifier = qualifierOf(s, request, functionName);
  return json(200, sessionView(await s.sessions.setPaused(functionName, id, true, qualifier)));
}

export async function resumeSession(
  s: Services,
  request: ApiRequest,
  functionName: string,
  id: string,
): Promise<Reply> {
  const qualifier = qualifierOf(s, request, functionName);
  queryOneOf(queryOf(request), 'fileSystemOnly', ['true', 'false']);
  return json(200, sessionView(await s.sessions.setPaused(functionName, id, false, qualifier)));
}
