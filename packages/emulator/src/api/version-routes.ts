import { invalidArgument } from '../errors.js';
import type { ApiRequest } from '../http/api-request.js';
import type { Route } from '../http/router.js';
import {
  deleteAsyncInvokeConfig,
  getAsyncInvokeConfig,
  getAsyncTask,
  listAsyncInvokeConfigs,
  listAsyncTasks,
  putAsyncInvokeConfig,
  stopAsyncTask,
} from './async-tasks-api.js';
import type { Services } from './services.js';
import {
  createAlias,
  deleteAlias,
  deleteVersion,
  getAlias,
  listAliases,
  listVersions,
  publishVersion,
  updateAlias,
} from './versions-api.js';

const FC3_PREFIX = '/2023-03-30/';

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalidArgument(`the path segment "${segment.slice(0, 40)}" is not valid percent-encoding`);
  }
}

/**
 * The FC 3.0 routes of versions, aliases, async tasks and async invoke configs:
 * `/functions/{name}/versions[/{id}]`, `/aliases[/{alias}]`, `/async-tasks[/{id}[/stop]]`,
 * `/async-invoke-config` and the account-wide `/async-invoke-configs`.
 */
export function versionRoute(s: Services, request: ApiRequest, jsonLimit: number): Route | undefined {
  const parts = request.path.slice(FC3_PREFIX.length).split('/');
  if (parts[parts.length - 1] === '') parts.pop();
  const m = request.method;
  const route = (action: string, run: Route['run']): Route => ({
    action,
    style: 'fc3',
    auth: 'acs3',
    bodyLimit: jsonLimit,
    run,
  });
  if (parts.length === 1 && parts[0] === 'async-invoke-configs' && m === 'GET')
    return route('ListAsyncInvokeConfigs', () => listAsyncInvokeConfigs(s, request));
  if (parts[0] !== 'functions' || parts.length < 3) return undefined;
  const [, rawName = '', collection, rawId, verb] = parts;
  const name = decode(rawName);
  const id = rawId === undefined ? '' : decode(rawId);
  const key = `${m} ${collection}${parts.length > 3 ? '/:id' : ''}${verb ? `/${verb}` : ''}`;
  if (parts.length > 5) return undefined;
  switch (key) {
    case 'POST versions':
      return route('PublishFunctionVersion', () => publishVersion(s, request, name));
    case 'GET versions':
      return route('ListFunctionVersions', () => listVersions(s, request, name));
    case 'DELETE versions/:id':
      return route('DeleteFunctionVersion', () => deleteVersion(s, request, name, id));
    case 'POST aliases':
      return route('CreateAlias', () => createAlias(s, request, name));
    case 'GET aliases':
      return route('ListAliases', () => listAliases(s, request, name));
    case 'GET aliases/:id':
      return route('GetAlias', () => getAlias(s, request, name, id));
    case 'PUT aliases/:id':
      return route('UpdateAlias', () => updateAlias(s, request, name, id));
    case 'DELETE aliases/:id':
      return route('DeleteAlias', () => deleteAlias(s, request, name, id));
    case 'GET async-tasks':
      return route('ListAsyncTasks', () => listAsyncTasks(s, request, name));
    case 'GET async-tasks/:id':
      return route('GetAsyncTask', () => getAsyncTask(s, request, name, id));
    case 'PUT async-tasks/:id/stop':
      return route('StopAsyncTask', () => stopAsyncTask(s, request, name, id));
    case 'PUT async-invoke-config':
      return route('PutAsyncInvokeConfig', () => putAsyncInvokeConfig(s, request, name));
    case 'GET async-invoke-config':
      return route('GetAsyncInvokeConfig', () => getAsyncInvokeConfig(s, request, name));
    case 'DELETE async-invoke-config':
      return route('DeleteAsyncInvokeConfig', () => deleteAsyncInvokeConfig(s, request, name));
    default:
      return undefined;
  }
}
