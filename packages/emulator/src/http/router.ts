import { admin } from '../api/admin-api.js';
import { invokeFc2, parseFc2Path } from '../api/fc2-invoke-api.js';
import { createFunction, deleteFunction, getFunction, listFunctions, updateFunction } from '../api/functions-api.js';
import { httpTrigger, httpTriggerOf, parseHttpTriggerPath } from '../api/http-trigger-api.js';
import { invokeBodyLimit, invokeFunction } from '../api/invoke-api.js';
import type { Services } from '../api/services.js';
import { createTrigger, deleteTrigger, getTrigger, listTriggers, updateTrigger } from '../api/triggers-api.js';
import { versionRoute } from '../api/version-routes.js';
import {
  createSession,
  deleteSession,
  getSession,
  listSessions,
  pauseSession,
  resumeSession,
  updateSession,
} from '../api/sessions-api.js';
import { authenticateAcs3, authenticateFc2, checkSignedBody } from '../auth/authenticate.js';
import { ApiError } from '../errors.js';
import { type ApiRequest, decodePathSegment, queryValue } from './api-request.js';
import type { Reply } from './reply.js';

export type ErrorStyle = 'fc3' | 'fc2';

/** How a request is served: which action it is (for fault rules), how big its body may be, who checks it. */
export interface Route {
  readonly action: string;
  readonly style: ErrorStyle;
  readonly auth: 'acs3' | 'fc2' | 'admin' | 'none';
  readonly bodyLimit: number;
  readonly run: () => Promise<Reply> | Reply;
}

const FC3_PREFIX = '/2023-03-30/';

function fc3(s: Services, request: ApiRequest, jsonLimit: number): Route | undefined {
  const parts = request.path.slice(FC3_PREFIX.length).split('/');
  if (parts[parts.length - 1] === '') parts.pop();
  if (parts[0] !== 'functions') return undefined;
  const [, rawName, collection, rawId, verb] = parts;
  const name = rawName === undefined ? '' : decodePathSegment(rawName);
  const id = rawId === undefined ? '' : decodePathSegment(rawId);
  const m = request.method;
  const route = (action: string, run: Route['run'], bodyLimit = jsonLimit): Route => ({
    action,
    style: 'fc3',
    auth: 'acs3',
    bodyLimit,
    run,
  });
  switch (parts.length) {
    case 1:
      if (m === 'POST') return route('CreateFunction', () => createFunction(s, request));
      if (m === 'GET') return route('ListFunctions', () => listFunctions(s, request));
      return undefined;
    case 2:
      if (m === 'GET') return route('GetFunction', () => getFunction(s, request, name));
      if (m === 'PUT') return route('UpdateFunction', () => updateFunction(s, request, name));
      if (m === 'DELETE') return route('DeleteFunction', () => deleteFunction(s, request, name));
      return undefined;
    case 3:
      if (collection === 'invocations' && m === 'POST') {
        return route('InvokeFunction', () => invokeFunction(s, request, name), invokeBodyLimit(s, request));
      }
      if (collection === 'triggers') {
        if (m === 'POST') return route('CreateTrigger', () => createTrigger(s, request, name));
        if (m === 'GET') return route('ListTriggers', () => listTriggers(s, request, name));
        return undefined;
      }
      if (collection !== 'sessions') return undefined;
      if (m === 'POST') return route('CreateSession', () => createSession(s, request, name));
      if (m === 'GET') return route('ListSessions', () => listSessions(s, request, name));
      return undefined;
    case 4:
      if (collection === 'triggers') {
        if (m === 'GET') return route('GetTrigger', () => getTrigger(s, request, name, id));
        if (m === 'PUT') return route('UpdateTrigger', () => updateTrigger(s, request, name, id));
        if (m === 'DELETE') return route('DeleteTrigger', () => deleteTrigger(s, request, name, id));
        return undefined;
      }
      if (collection !== 'sessions') return undefined;
      if (m === 'GET') return route('GetSession', () => getSession(s, request, name, id));
      if (m === 'PUT') return route('UpdateSession', () => updateSession(s, request, name, id));
      if (m === 'DELETE') return route('DeleteSession', () => deleteSession(s, request, name, id));
      return undefined;
    case 5:
      if (collection !== 'sessions' || m !== 'PUT') return undefined;
      if (verb === 'pause') return route('PauseSession', () => pauseSession(s, request, name, id));
      if (verb === 'resume') return route('ResumeSession', () => resumeSession(s, request, name, id));
      return undefined;
    default:
      return undefined;
  }
}

/** Finds the route for a request, or throws a 404 that says what the emulator does not serve. */
export function routeOf(s: Services, request: ApiRequest): Route {
  const { path } = request;
  const jsonLimit = Math.ceil((s.options.limits.codeZipBytes * 4) / 3) + 1024 * 1024;
  if (path.startsWith(FC3_PREFIX)) {
    const route = fc3(s, request, jsonLimit) ?? versionRoute(s, request, jsonLimit);
    if (route) return route;
    const action = typeof request.headers['x-acs-action'] === 'string' ? ` (${request.headers['x-acs-action']})` : '';
    return {
      action: 'Unsupported',
      style: 'fc3',
      auth: 'acs3',
      bodyLimit: jsonLimit,
      run: () => {
        throw new ApiError(404, 'NotSupported', `the emulator does not serve ${request.method} ${path}${action}`);
      },
    };
  }
  if (path.startsWith('/2016-08-15/')) {
    const target = parseFc2Path(path);
    if (!target || request.method !== 'POST') {
      throw new ApiError(
        404,
        'NotSupported',
        `the emulator serves only the FC 2.0 invoke path, not ${request.method} ${path}`,
      );
    }
    return {
      action: 'InvokeFunction',
      style: 'fc2',
      auth: 'fc2',
      bodyLimit: invokeBodyLimit(s, request),
      run: () => invokeFc2(s, request, target),
    };
  }
  const trigger = parseHttpTriggerPath(path);
  if (trigger) {
    const { auth, qualifier } = httpTriggerOf(s, trigger.functionName, request.method);
    return {
      action: 'HttpTrigger',
      style: 'fc3',
      auth,
      bodyLimit: s.options.limits.httpTriggerBodyBytes,
      run: () => httpTrigger(s, request, trigger.functionName, trigger.functionPath, qualifier),
    };
  }
  if (s.options.adminApi && path.startsWith('/_emulator/')) {
    return {
      action: 'Admin',
      style: 'fc3',
      auth: 'admin',
      bodyLimit: 1024 * 1024,
      run: () => admin(s, request, path.slice(11)),
    };
  }
  throw new ApiError(404, 'NotFound', `the emulator has no route for ${request.method} ${path}`);
}

/** Everything about the caller that the headers tell, checked before any of the body is read. */
export function authenticate(s: Services, route: Route, request: ApiRequest): void {
  if (route.auth === 'acs3') authenticateAcs3(request, s.keys, s.options.maxClockSkewSeconds, s.acceptNonce);
  else if (route.auth === 'fc2') authenticateFc2(request, s.keys, s.options.maxClockSkewSeconds);
  else if (route.auth === 'admin' && !isDashboardLink(s, request)) s.adminToken.check(request);
}

/** `GET /_emulator/ui?token=<token>`: the URL printed at start, which the page then trades for a cookie. */
function isDashboardLink(s: Services, request: ApiRequest): boolean {
  return (
    request.method === 'GET' && request.path === '/_emulator/ui' && s.adminToken.inQuery(queryValue(request, 'token'))
  );
}

/** The body read after `authenticate` must be the one the signature declared. */
export function authenticateBody(route: Route, request: ApiRequest): void {
  if (route.auth === 'acs3' || route.auth === 'fc2') checkSignedBody(request, route.auth);
}
