import type { FcClient, InvokeOptions, SessionRoute } from '@fc-sessions/client';
import { plainSource, resolveSettings } from '../settings/resolve.js';
import { invalidArgument } from './errors.js';
import type { ListingApi } from './listed-sessions.js';
import { ManifestStore } from './manifest.js';
import type { ManifestLocation } from './prefetch.js';

/** The client calls `invokeFunction` makes: the invoke, and the look-ups of the keeper's sessions on FC. */
export type InvokeApi = Pick<FcClient, 'invoke'> & ListingApi;

export interface InvokeRequest {
  functionName: string;
  qualifier?: string | undefined;
  body?: string | Uint8Array | undefined;
  /** Route the call to this session. */
  sessionId?: string | undefined;
  /**
   * Without `sessionId`, take a live session from the manifest, or when it records none, one of the
   * sessions the keeper on FC keeps (default true; Sync only).
   */
  useManifest?: boolean | undefined;
  manifest?: ManifestLocation | undefined;
  /** Extra request headers (`name: value`), sent unsigned. */
  headers?: Record<string, string> | undefined;
  invocationType?: 'Sync' | 'Async' | undefined;
  asyncTaskId?: string | undefined;
  /** Default `Tail` for Sync (the log comes back), `None` for Async. */
  logType?: 'None' | 'Tail' | undefined;
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** What an invocation returned, as data (front doors print it with `formatInvoke`). */
/** A function that ran and failed (FC's `x-fc-error-type`): what front doors name in their error. */
export interface FunctionFailure {
  functionName: string;
  errorType: string;
  requestId: string | undefined;
}

/** The failure an invoke report carries, if the function failed. */
export function functionFailure(report: InvokeReport): FunctionFailure | undefined {
  if (report.errorType === undefined) return undefined;
  return { functionName: report.functionName, errorType: report.errorType, requestId: report.requestId };
}

export interface InvokeReport {
  functionName: string;
  /** The version or alias that served the call (or the one asked for). */
  qualifier: string;
  invocationType: 'Sync' | 'Async';
  status: number;
  requestId: string | undefined;
  instanceId: string | undefined;
  codeChecksum: string | undefined;
  sessionId: string | undefined;
  /** Where the session came from: the caller, the manifest, the keeper on FC (its sessions FC lists), or FC (an id it made and returned). */
  sessionSource: 'argument' | 'manifest' | 'keeper' | 'function' | undefined;
  /** Set when the function failed: `UnhandledInvocationError`, `HandledInvocationError`, `InitializationError`. */
  errorType: string | undefined;
  asyncTaskId: string | undefined;
  logs: string | undefined;
  /** The response body as text. */
  result: string;
  durationMs: number;
}

/** Parses `name: value` (or `name=value`) header arguments; errors name the flag. */
export function parseHeaders(values: readonly string[], field = 'header'): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const value of values) {
    const match = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*[:=]\s?(.*)$/.exec(value);
    if (!match) throw invalidArgument(field, value, 'must look like "name: value"');
    headers[(match[1] as string).toLowerCase()] = match[2] as string;
  }
  return headers;
}

/** The first live session (lowest slot) prefetch recorded for the function and qualifier, with the route to it. */
export async function manifestSession(
  location: ManifestLocation,
  functionName: string,
  qualifier: string,
): Promise<SessionRoute | undefined> {
  const store = new ManifestStore(location.manifestDir, {
    region: location.region,
    functionName,
    qualifier,
    endpoint: location.endpoint,
  });
  const { sessions, route } = await store.load();
  const now = Date.now();
  const first = [...sessions]
    .filter((s) => s.state === 'active')
    .filter((s) => {
      if (!s.createdTime || s.sessionTTLInSeconds === undefined) return true;
      return Date.parse(s.createdTime) + s.sessionTTLInSeconds * 1000 > now;
    })
    .sort((a, b) => a.index - b.index)[0];
  if (!first) return undefined;
  return route
    ? { id: first.sessionId, affinity: route.affinity, headerName: route.headerName }
    : { id: first.sessionId };
}

/**
 * The first session (lowest slot, none retiring) the keeper on FC keeps for the function and
 * qualifier, read as the keeper reads them: its function (`keeperFunctionName`) names this one in
 * its environment, and its sessions are those FC lists with its id prefix. undefined: no such keeper,
 * or no session of it yet.
 */
export async function keptSession(
  client: ListingApi,
  location: Pick<ManifestLocation, 'region'>,
  functionName: string,
  qualifier: string,
  signal?: AbortSignal,
): Promise<string | undefined> {
  // Loaded here, not at the top: only an invoke that found no session in the manifest needs the keeper's code.
  const [{ findKeeper, readKeeperEnvironment }, { ListedSessions }] = await Promise.all([
    import('./keeper-function.js'),
    import('./listed-sessions.js'),
  ]);
  const keeper = await findKeeper(client, functionName, qualifier, signal);
  if (keeper === undefined) return undefined;
  const settings = readKeeperEnvironment(keeper.env);
  const listed = new ListedSessions(
    client,
    { ...settings, functionName, qualifier, region: location.region },
    signal ?? new AbortController().signal,
  );
  const { sessions } = await listed.load();
  return sessions.filter((s) => s.state === 'active').sort((a, b) => a.index - b.index)[0]?.sessionId;
}

/**
 * Invokes the function, into a session when one is given, recorded in the manifest, or kept by
 * the keeper on FC; a function error is data, not an exception.
 */
export async function invokeFunction(client: InvokeApi, request: InvokeRequest): Promise<InvokeReport> {
  const checked = resolveSettings(['invocationType', 'logType'], [plainSource(request)], { env: {} });
  const invocationType = checked.invocationType ?? 'Sync';
  const logType = checked.logType ?? (invocationType === 'Sync' ? 'Tail' : 'None');
  if (request.asyncTaskId !== undefined && invocationType !== 'Async') {
    throw invalidArgument('asyncTaskId', request.asyncTaskId, 'only applies to invocationType Async');
  }
  const qualifier = request.qualifier ?? 'LATEST';
  let session: string | SessionRoute | undefined = request.sessionId;
  let sessionSource: InvokeReport['sessionSource'] = session === undefined ? undefined : 'argument';
  if (session === undefined && invocationType === 'Sync' && request.useManifest !== false && request.manifest) {
    session = await manifestSession(request.manifest, request.functionName, qualifier);
    if (session !== undefined) sessionSource = 'manifest';
    else {
      session = await keptSession(client, request.manifest, request.functionName, qualifier, request.signal);
      if (session !== undefined) sessionSource = 'keeper';
    }
  }
  const sessionId = typeof session === 'string' ? session : session?.id;
  const options: InvokeOptions = {
    body: request.body,
    qualifier: request.qualifier,
    invocationType,
    logType,
    asyncTaskId: request.asyncTaskId,
    headers: request.headers,
    timeoutMs: request.timeoutMs,
    signal: request.signal,
  };
  if (session !== undefined) options.session = session;
  const started = Date.now();
  const answer = await client.invoke(request.functionName, options);
  if (sessionSource === undefined && answer.sessionId !== undefined) sessionSource = 'function';
  return {
    functionName: request.functionName,
    qualifier: answer.qualifier ?? qualifier,
    invocationType,
    status: answer.status,
    requestId: answer.requestId,
    instanceId: answer.instanceId,
    codeChecksum: answer.codeChecksum,
    sessionId: answer.sessionId ?? sessionId,
    sessionSource,
    errorType: answer.errorType,
    asyncTaskId: answer.asyncTaskId,
    logs: answer.logs,
    result: answer.text(),
    durationMs: Date.now() - started,
  };
}
