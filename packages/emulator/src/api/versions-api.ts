import { queryOf, type ApiRequest } from '../http/api-request.js';
import { json, type Reply } from '../http/reply.js';
import { isoSeconds } from '../ids.js';
import { parseCreateAlias, parsePublishVersion, parseUpdateAlias } from '../model/version-input.js';
import { jsonObject } from '../model/validate.js';
import type { AliasRecord, VersionRecord } from '../state/records.js';
import { queryInt, queryOneOf } from './query.js';
import type { Services } from './services.js';

const versionView = (version: VersionRecord) => ({
  versionId: version.versionId,
  description: version.description,
  createdTime: isoSeconds(version.createdMs),
  lastModifiedTime: isoSeconds(version.createdMs),
});

const aliasView = (alias: AliasRecord) => ({
  aliasName: alias.aliasName,
  versionId: alias.versionId,
  description: alias.description,
  additionalVersionWeight: alias.additionalVersionWeight,
  createdTime: isoSeconds(alias.createdMs),
  lastModifiedTime: isoSeconds(alias.lastModifiedMs),
});

export async function publishVersion(s: Services, request: ApiRequest, name: string): Promise<Reply> {
  const input = parsePublishVersion(jsonObject(request.body));
  return json(200, versionView(await s.versions.publish(name, input.description)));
}

export function listVersions(s: Services, request: ApiRequest, name: string): Reply {
  const query = queryOf(request);
  const limit = queryInt(query, 'limit', 1, 100, 20);
  const direction = (queryOneOf(query, 'direction', ['FORWARD', 'BACKWARD']) ?? 'BACKWARD') as 'FORWARD' | 'BACKWARD';
  const page = s.versions.listVersions(name, { limit, direction, nextToken: query.get('nextToken') || undefined });
  return json(200, {
    versions: page.versions.map(versionView),
    direction,
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  });
}

export async function deleteVersion(s: Services, _request: ApiRequest, name: string, id: string): Promise<Reply> {
  await s.versions.deleteVersion(name, id);
  return { status: 204 };
}

export async function createAlias(s: Services, request: ApiRequest, name: string): Promise<Reply> {
  const input = parseCreateAlias(jsonObject(request.body));
  return json(200, aliasView(await s.versions.createAlias(name, input)));
}

export function getAlias(s: Services, _request: ApiRequest, name: string, alias: string): Reply {
  return json(200, aliasView(s.versions.getAlias(name, alias)));
}

export async function updateAlias(s: Services, request: ApiRequest, name: string, alias: string): Promise<Reply> {
  const input = parseUpdateAlias(jsonObject(request.body));
  return json(200, aliasView(await s.versions.updateAlias(name, alias, input)));
}

export function listAliases(s: Services, request: ApiRequest, name: string): Reply {
  const query = queryOf(request);
  const limit = queryInt(query, 'limit', 1, 100, 20);
  const page = s.versions.listAliases(name, {
    limit,
    prefix: query.get('prefix') || undefined,
    nextToken: query.get('nextToken') || undefined,
  });
  return json(200, { aliases: page.aliases.map(aliasView), ...(page.nextToken ? { nextToken: page.nextToken } : {}) });
}

export async function deleteAlias(s: Services, _request: ApiRequest, name: string, alias: string): Promise<Reply> {
  await s.versions.deleteAlias(name, alias);
  return { status: 204 };
}
