import type { AdditionalVersionWeight, Alias, FcClient, FunctionVersion } from '@fc-sessions/client';
import { invalidArgument } from './errors.js';

type Versions = Pick<FcClient, 'iterateFunctionVersions' | 'listFunctionVersions'>;

/** Every published version of a function, newest first. */
export async function listVersions(
  client: Versions,
  functionName: string,
  signal?: AbortSignal,
): Promise<FunctionVersion[]> {
  const versions: FunctionVersion[] = [];
  for await (const version of client.iterateFunctionVersions(functionName, { direction: 'BACKWARD' }, { signal })) {
    versions.push(version);
  }
  return versions;
}

/** fc3's `--version-id latest`: the newest published version; any other value is taken as it is. */
export async function resolveVersionId(
  client: Versions,
  functionName: string,
  versionId: string,
  field = '--version-id',
): Promise<string> {
  if (versionId.toLowerCase() !== 'latest') return versionId;
  const page = await client.listFunctionVersions(functionName, { direction: 'BACKWARD', limit: 1 });
  const newest = page.versions[0]?.versionId;
  if (newest === undefined) throw invalidArgument(field, versionId, `needs a published version of ${functionName}`);
  return newest;
}

/** fc3's `--vw '{"2":0.2}'`: canary weights as JSON text (the client checks the ranges). */
export function parseVersionWeight(text: string, field = '--vw'): AdditionalVersionWeight {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidArgument(field, text, 'must be JSON such as {"2":0.2} (version 2 takes 20% of the calls)');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw invalidArgument(field, text, 'must be a JSON object of version id -> weight, such as {"2":0.2}');
  return parsed as AdditionalVersionWeight;
}

export interface AliasRequest {
  aliasName: string;
  /** A version number, or `latest` (the newest published version). */
  versionId?: string | undefined;
  description?: string | undefined;
  /** JSON text, as fc3's `--vw` takes it. */
  versionWeight?: string | undefined;
}

/** CreateAlias (`versionId` required) or UpdateAlias, with fc3's `latest` and `--vw`. */
export async function saveAlias(
  client: Pick<FcClient, 'createAlias' | 'updateAlias' | 'listFunctionVersions' | 'iterateFunctionVersions'>,
  functionName: string,
  request: AliasRequest,
  mode: 'create' | 'update',
): Promise<Alias> {
  const weights = request.versionWeight === undefined ? undefined : parseVersionWeight(request.versionWeight);
  const versionId =
    request.versionId === undefined ? undefined : await resolveVersionId(client, functionName, request.versionId);
  if (mode === 'create') {
    if (versionId === undefined) throw invalidArgument('--version-id', undefined, 'is required to create an alias');
    return client.createAlias(functionName, {
      aliasName: request.aliasName,
      versionId,
      ...(request.description === undefined ? {} : { description: request.description }),
      ...(weights === undefined ? {} : { additionalVersionWeight: weights }),
    });
  }
  return client.updateAlias(functionName, request.aliasName, {
    ...(versionId === undefined ? {} : { versionId }),
    ...(request.description === undefined ? {} : { description: request.description }),
    ...(weights === undefined ? {} : { additionalVersionWeight: weights }),
  });
}

export async function listAliases(
  client: Pick<FcClient, 'iterateAliases'>,
  functionName: string,
  signal?: AbortSignal,
): Promise<Alias[]> {
  const aliases: Alias[] = [];
  for await (const alias of client.iterateAliases(functionName, {}, { signal })) aliases.push(alias);
  return aliases;
}
