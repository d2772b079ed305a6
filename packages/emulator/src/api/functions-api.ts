import { functionView } from '../functions/function-view.js';
import { type ApiRequest, queryOf } from '../http/api-request.js';
import { json, type Reply } from '../http/reply.js';
import { parseCreateFunction, parseUpdateFunction } from '../model/function-config.js';
import { jsonObject } from '../model/validate.js';
import { queryInt } from './query.js';
import type { Services } from './services.js';

const view = (s: Services, record: Parameters<typeof functionView>[0]) =>
  functionView(record, s.options.region, s.options.accountId);

export async function createFunction(s: Services, request: ApiRequest): Promise<Reply> {
  const input = parseCreateFunction(jsonObject(request.body));
  return json(200, view(s, await s.functions.create(input)));
}

/** GetFunction on any qualifier: a version (or an alias's main version) answers its own snapshot. */
export function getFunction(s: Services, request: ApiRequest, name: string): Reply {
  const target = s.versions.resolve(name, queryOf(request).get('qualifier'), () => 1);
  return json(200, view(s, target.entry.record));
}

export async function updateFunction(s: Services, request: ApiRequest, name: string): Promise<Reply> {
  const body = jsonObject(request.body);
  const record = await s.functions.update(name, (current) => parseUpdateFunction(current.config, body));
  return json(200, view(s, record));
}

export async function deleteFunction(s: Services, _request: ApiRequest, name: string): Promise<Reply> {
  await s.functions.delete(name);
  return { status: 204 };
}

export function listFunctions(s: Services, request: ApiRequest): Reply {
  const query = queryOf(request);
  const limit = queryInt(query, 'limit', 1, 100, 20);
  const prefix = query.get('prefix') ?? undefined;
  const nextToken = query.get('nextToken') || undefined;
  const page = s.functions.list({ limit, ...(prefix ? { prefix } : {}), ...(nextToken ? { nextToken } : {}) });
  return json(200, {
    functions: page.records.map((record) => view(s, record)),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  });
}
