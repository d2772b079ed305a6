import type { IncomingMessage } from 'node:http';
import {
  type ChainOptions,
  type Credentials,
  type CredentialsProvider,
  defaultCredentialsChain,
  protectCredentials,
  resolveAccountId,
  resolveRegion,
} from './credentials.js';
import { type EndpointKind, resolveEndpoint } from './endpoint.js';
import { FcError, errorFromResponse } from './errors.js';
import { functionBody, functionFromWire } from './functions.js';
import {
  type Fc2InvokeResult,
  fc2Meta,
  type InvokeResult,
  type InvokeStreamResult,
  invokeMeta,
  type ResolvedRoute,
  type SessionRoute,
  sessionHeaders,
  withBody,
} from './invoke.js';
import { backoffDelay, DEFAULT_RETRY, NO_RETRY, type RetryOptions, retryPolicy, sleep } from './retry.js';
import { randomHex, rfc3986 } from './signing/encoding.js';
import { signFc2Request, signRequest } from './signing/index.js';
import { type Answer, exchange, header, Pools, readBody, send, type Target, type WireRequest } from './transport.js';
import { validateAsyncInvokeConfig, validateAsyncTaskFilters } from './async-config.js';
import { LIST_LIMIT, SESSION_STATUSES, VERSION_DIRECTIONS } from './limits.js';
import {
  type CreateTriggerInput,
  createTriggerBody,
  type ListTriggersInput,
  type ListTriggersOutput,
  type Trigger,
  triggerFromWire,
  type UpdateTriggerInput,
  updateTriggerBody,
  validateTriggerName,
} from './triggers.js';
import type {
  Alias,
  AsyncInvokeConfig,
  AsyncTask,
  CreateAliasInput,
  CreateFunctionInput,
  CreateSessionInput,
  DeleteSessionOutput,
  FunctionConfig,
  FunctionVersion,
  ListAliasesInput,
  ListAliasesOutput,
  ListAsyncInvokeConfigsInput,
  ListAsyncInvokeConfigsOutput,
  ListAsyncTasksInput,
  ListAsyncTasksOutput,
  ListFunctionsInput,
  ListFunctionsOutput,
  ListFunctionVersionsInput,
  ListFunctionVersionsOutput,
  ListSessionsInput,
  ListSessionsOutput,
  PublishFunctionVersionInput,
  PutAsyncInvokeConfigInput,
  Session,
  UpdateAliasInput,
  UpdateFunctionInput,
  UpdateSessionInput,
} from './types.js';
import {
  integerIn,
  invalid,
  oneOf,
  validateAccountId,
  validateAffinityHeaderName,
  validateAsyncTaskId,
  validateFunctionName,
  validateQualifier,
  validateRegion,
  validateSessionId,
  validateSessionSettings,
} from './validate.js';
import { hideSessionSecrets } from './session-secrets.js';
import { VERSION } from './version.js';
import { validateAliasName, validateDescription, validateVersionId, validateVersionWeight } from './versioning.js';

export const API_VERSION = '2023-03-30';
const FC2_API_VERSION = '2016-08-15';

export interface FcClientOptions extends ChainOptions {
  /** e.g. `http://127.0.0.1:9100`; default `$FCS_ENDPOINT`, else built from region and account id. */
  endpoint?: string;
  /** Default `$ALIBABA_CLOUD_REGION_ID`, `$FC_REGION`, or the aliyun CLI profile's region. */
  region?: string;
  /** Default from the environment or the Serverless Devs alias (see `resolveAccountId`). */
  accountId?: string;
  /** Call the region's VPC endpoint. */
  internal?: boolean;
  /** Keys, or an async provider; default the chain of `defaultCredentialsChain`. */
  credentials?: Credentials | CredentialsProvider;
  /** Per-call timeout for management calls; default 30 000 ms. */
  timeoutMs?: number;
  /** Per-call timeout for invocations; default 600 000 ms. */
  invokeTimeoutMs?: number;
  /** Retries of calls that are safe to repeat; `false` turns them off. Default 3 attempts, 100 ms base, 5 s cap. */
  retry?: RetryOptions | false;
  userAgent?: string;
}

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface QualifiedOptions extends CallOptions {
  qualifier?: string;
}

export interface InvokeOptions extends QualifiedOptions {
  /** The event: bytes or text, sent as is. */
  body?: string | Uint8Array;
  invocationType?: 'Sync' | 'Async';
  logType?: 'None' | 'Tail';
  /** Async task id (`x-fc-async-task-id`). */
  asyncTaskId?: string;
  /** `x-fc-async-delay`, seconds [0, 3600]. */
  asyncDelaySeconds?: number;
  /** Extra request headers, sent unsigned as FC expects for affinity and web headers. */
  headers?: Record<string, string>;
  /** A session id, or how to route one (see `SessionRoute`). */
  session?: string | SessionRoute;
  /** Invocations are not retried unless asked: `true` uses the client's policy. */
  retry?: RetryOptions | boolean;
}

export interface Fc2InvokeOptions extends QualifiedOptions {
  body?: string | Uint8Array;
  invocationType?: 'Sync' | 'Async';
  logType?: 'None' | 'Tail';
  /** `X-Fc-Stateful-Async-Invocation-Id`. */
  statefulAsyncInvocationId?: string;
  headers?: Record<string, string>;
  retry?: RetryOptions | boolean;
}

type Query = Record<string, string | number | boolean | undefined>;

interface Operation<T> {
  action: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Query;
  json?: unknown;
  kind?: EndpointKind;
  /** Whether a repeat after an unknown outcome is harmless. */
  idempotent: boolean;
  options?: CallOptions & { retry?: RetryOptions | boolean };
  /** Lets a retried call turn a failure caused by its own earlier attempt into success. */
  recover?: (error: FcError) => Promise<T> | undefined;
}

interface Context {
  credentials: Credentials;
  target: Target;
  accountId: string | undefined;
}

function encodeQuery(query: Query | undefined): string {
  let text = '';
  for (const name in query) {
    const value = query[name];
    if (value !== undefined) text += `${text ? '&' : '?'}${rfc3986(name)}=${rfc3986(String(value))}`;
  }
  return text;
}

const seg = encodeURIComponent;

const JSON_ACCEPT: Readonly<Record<string, string>> = { accept: 'application/json' };
const JSON_BODY: Readonly<Record<string, string>> = {
  ...JSON_ACCEPT,
  'content-type': 'application/json; charset=utf-8',
};

/** Makes a session id the way FC does (32 lower-hex), so a retried CreateSession is idempotent. */
export function newSessionId(): string {
  return randomHex(16);
}

/**
 * A Function Compute 3.0 client: sessions, invocations (FC 3.0 and FC 2.0) and functions.
 * Connections are kept alive; call `close()` to free them before a short-lived process exits.
 */
export class FcClient {
  readonly #options: FcClientOptions;
  readonly #pools = new Pools();
  readonly #routes = new Map<string, { route: ResolvedRoute; expires: number }>();
  #chain: Promise<Credentials> | undefined;
  readonly #static: Credentials | undefined;
  readonly #targets = new Map<EndpointKind, Target>();
  #place: Promise<{ region: string | undefined; accountId: string | undefined }> | undefined;
  /** With fixed keys the context of a kind never changes: kept once resolved, so a call needs no await for it. */
  readonly #contexts = new Map<EndpointKind, Context>();
  readonly #retry: Required<RetryOptions>;
  readonly #userAgent: string;

  constructor(options: FcClientOptions = {}) {
    this.#options = { ...options };
    this.#retry = retryPolicy(options.retry, DEFAULT_RETRY);
    this.#userAgent = options.userAgent ?? `fc-sessions-client/${VERSION} node/${process.versions.node}`;
    this.#static =
      options.credentials && typeof options.credentials === 'object'
        ? protectCredentials(options.credentials)
        : undefined;
    integerIn('timeoutMs', options.timeoutMs, 1, 3_600_000);
    integerIn('invokeTimeoutMs', options.invokeTimeoutMs, 1, 86_400_000);
    validateRegion(options.region);
    validateAccountId(options.accountId);
    if (options.endpoint) resolveEndpoint({ endpoint: options.endpoint }, 'management');
  }

  /** Frees kept-alive connections. */
  close(): void {
    this.#pools.close();
  }

  toJSON(): Record<string, unknown> {
    return { endpoint: this.#options.endpoint, region: this.#options.region, accountId: this.#options.accountId };
  }

  // ---- sessions ---------------------------------------------------------------------------

  /**
   * Creates a session: FC pre-allocates an instance, runs its initializer and binds the session.
   * Without `sessionId` the client picks one, so a retry after a lost answer cannot make a second session.
   */
  async createSession(
    functionName: string,
    input: CreateSessionInput = {},
    options: QualifiedOptions = {},
  ): Promise<Session> {
    validateFunctionName(functionName);
    validateQualifier(options.qualifier);
    if (input.sessionId !== undefined) validateSessionId(input.sessionId);
    validateSessionSettings(input as Record<string, unknown>);
    // Object.assign, not `{ ...input, sessionId }`: V8 builds a spread followed by a field on a slow path (ten times the copy).
    const body = Object.assign({}, input, { sessionId: input.sessionId ?? newSessionId() });
    return hideSessionSecrets(
      await this.#json<Session>({
        action: 'CreateSession',
        method: 'POST',
        path: `/functions/${seg(functionName)}/sessions`,
        query: { qualifier: options.qualifier },
        json: body,
        idempotent: true,
        options,
        recover: (error) => (error.status === 409 ? this.getSession(functionName, body.sessionId, options) : undefined),
      }),
    );
  }

  async getSession(functionName: string, sessionId: string, options: QualifiedOptions = {}): Promise<Session> {
    this.#checkSession(functionName, sessionId, options.qualifier);
    return hideSessionSecrets(
      await this.#json<Session>({
        action: 'GetSession',
        method: 'GET',
        path: `/functions/${seg(functionName)}/sessions/${seg(sessionId)}`,
        query: { qualifier: options.qualifier },
        idempotent: true,
        options,
      }),
    );
  }

  async updateSession(
    functionName: string,
    sessionId: string,
    input: UpdateSessionInput,
    options: QualifiedOptions = {},
  ): Promise<Session> {
    this.#checkSession(functionName, sessionId, options.qualifier);
    validateSessionSettings(input as Record<string, unknown>);
    return hideSessionSecrets(
      await this.#json<Session>({
        action: 'UpdateSession',
        method: 'PUT',
        path: `/functions/${seg(functionName)}/sessions/${seg(sessionId)}`,
        query: { qualifier: options.qualifier },
        json: input,
        idempotent: true,
        options,
      }),
    );
  }

  /**
   * Deletes a session; a retry that finds it already gone (404) counts as success, reported as
   * `alreadyGone` (an earlier attempt deleted it, or it was never there).
   */
  async deleteSession(
    functionName: string,
    sessionId: string,
    options: QualifiedOptions = {},
  ): Promise<DeleteSessionOutput> {
    this.#checkSession(functionName, sessionId, options.qualifier);
    const gone: DeleteSessionOutput = { alreadyGone: true };
    const answer = await this.#json<unknown>({
      action: 'DeleteSession',
      method: 'DELETE',
      path: `/functions/${seg(functionName)}/sessions/${seg(sessionId)}`,
      query: { qualifier: options.qualifier },
      idempotent: true,
      options,
      recover: (error) => (error.status === 404 ? Promise.resolve(gone) : undefined),
    });
    return answer === gone ? gone : { alreadyGone: false };
  }

  /** One page of sessions. */
  async listSessions(
    functionName: string,
    input: ListSessionsInput = {},
    options: CallOptions = {},
  ): Promise<ListSessionsOutput> {
    validateFunctionName(functionName);
    validateQualifier(input.qualifier);
    integerIn('limit', input.limit, LIST_LIMIT.min, LIST_LIMIT.max);
    if (input.sessionId !== undefined) validateSessionId(input.sessionId);
    oneOf('sessionStatus', input.sessionStatus, SESSION_STATUSES);
    const page = await this.#json<Partial<ListSessionsOutput>>({
      action: 'ListSessions',
      method: 'GET',
      path: `/functions/${seg(functionName)}/sessions`,
      query: { ...input },
      idempotent: true,
      options,
    });
    return {
      sessions: (page.sessions ?? []).map(hideSessionSecrets),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    };
  }

  /** Every session, page after page. */
  async *iterateSessions(
    functionName: string,
    input: Omit<ListSessionsInput, 'nextToken'> = {},
    options: CallOptions = {},
  ): AsyncGenerator<Session> {
    let nextToken: string | undefined;
    do {
      const page = await this.listSessions(functionName, { ...input, nextToken }, options);
      yield* page.sessions;
      nextToken = page.nextToken;
    } while (nextToken);
  }

  async pauseSession(
    functionName: string,
    sessionId: string,
    options: QualifiedOptions = {},
  ): Promise<Session | undefined> {
    this.#checkSession(functionName, sessionId, options.qualifier);
    return hideSessionSecrets(
      await this.#optionalJson<Session>({
        action: 'PauseSession',
        method: 'PUT',
        path: `/functions/${seg(functionName)}/sessions/${seg(sessionId)}/pause`,
        query: { qualifier: options.qualifier },
        idempotent: true,
        options,
      }),
    );
  }

  async resumeSession(
    functionName: string,
    sessionId: string,
    options: QualifiedOptions & { fileSystemOnly?: boolean } = {},
  ): Promise<Session | undefined> {
    this.#checkSession(functionName, sessionId, options.qualifier);
    return hideSessionSecrets(
      await this.#optionalJson<Session>({
        action: 'ResumeSession',
        method: 'PUT',
        path: `/functions/${seg(functionName)}/sessions/${seg(sessionId)}/resume`,
        query: { qualifier: options.qualifier, fileSystemOnly: options.fileSystemOnly },
        idempotent: true,
        options,
      }),
    );
  }

  // ---- triggers ---------------------------------------------------------------------------

  /** Creates a trigger; not retried after an unknown outcome (a repeat would meet TriggerAlreadyExists). */
  async createTrigger(functionName: string, input: CreateTriggerInput, options: CallOptions = {}): Promise<Trigger> {
    validateFunctionName(functionName);
    const raw = await this.#json<Record<string, unknown>>({
      action: 'CreateTrigger',
      method: 'POST',
      path: `/functions/${seg(functionName)}/triggers`,
      json: createTriggerBody(input),
      idempotent: false,
      options,
    });
    return triggerFromWire(raw);
  }

  async getTrigger(functionName: string, triggerName: string, options: CallOptions = {}): Promise<Trigger> {
    validateFunctionName(functionName);
    validateTriggerName(triggerName);
    const raw = await this.#json<Record<string, unknown>>({
      action: 'GetTrigger',
      method: 'GET',
      path: `/functions/${seg(functionName)}/triggers/${seg(triggerName)}`,
      idempotent: true,
      options,
    });
    return triggerFromWire(raw);
  }

  /** Changes the given fields of a trigger; a repeat sets the same values, so it is retried. */
  async updateTrigger(
    functionName: string,
    triggerName: string,
    input: UpdateTriggerInput,
    options: CallOptions = {},
  ): Promise<Trigger> {
    validateFunctionName(functionName);
    validateTriggerName(triggerName);
    const raw = await this.#json<Record<string, unknown>>({
      action: 'UpdateTrigger',
      method: 'PUT',
      path: `/functions/${seg(functionName)}/triggers/${seg(triggerName)}`,
      json: updateTriggerBody(input),
      idempotent: true,
      options,
    });
    return triggerFromWire(raw);
  }

  /** Deletes a trigger; a retry that finds it already gone (404) counts as success. */
  async deleteTrigger(functionName: string, triggerName: string, options: CallOptions = {}): Promise<void> {
    validateFunctionName(functionName);
    validateTriggerName(triggerName);
    await this.#json<unknown>({
      action: 'DeleteTrigger',
      method: 'DELETE',
      path: `/functions/${seg(functionName)}/triggers/${seg(triggerName)}`,
      idempotent: true,
      options,
      recover: (error) => (error.status === 404 ? Promise.resolve({}) : undefined),
    });
  }

  /** One page of a function's triggers. */
  async listTriggers(
    functionName: string,
    input: ListTriggersInput = {},
    options: CallOptions = {},
  ): Promise<ListTriggersOutput> {
    validateFunctionName(functionName);
    integerIn('limit', input.limit, LIST_LIMIT.min, LIST_LIMIT.max);
    const page = await this.#json<{ triggers?: Record<string, unknown>[]; nextToken?: string }>({
      action: 'ListTriggers',
      method: 'GET',
      path: `/functions/${seg(functionName)}/triggers`,
      query: { limit: input.limit, nextToken: input.nextToken, prefix: input.prefix },
      idempotent: true,
      options,
    });
    return {
      triggers: (page.triggers ?? []).map(triggerFromWire),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    };
  }

  /** Every trigger of a function, page after page. */
  async *iterateTriggers(
    functionName: string,
    input: Omit<ListTriggersInput, 'nextToken'> = {},
    options: CallOptions = {},
  ): AsyncGenerator<Trigger> {
    let nextToken: string | undefined;
    do {
      const page = await this.listTriggers(functionName, { ...input, nextToken }, options);
      yield* page.triggers;
      nextToken = page.nextToken;
    } while (nextToken);
  }

  // ---- functions --------------------------------------------------------------------------

  /** Creates a function; not retried after an unknown outcome (a repeat would meet FunctionAlreadyExists). */
  async createFunction(input: CreateFunctionInput, options: CallOptions = {}): Promise<FunctionConfig> {
    validateFunctionName(input.functionName);
    if (typeof input.runtime !== 'string' || !input.runtime)
      throw invalid('runtime', input.runtime, 'is required (e.g. nodejs20, custom.debian12)');
    const raw = await this.#json<Record<string, unknown>>({
      action: 'CreateFunction',
      method: 'POST',
      path: '/functions',
      json: functionBody(input),
      idempotent: false,
      options,
    });
    this.#forgetRoutes(input.functionName);
    return functionFromWire(raw);
  }

  /** Reads a function; `sessionAffinityConfig` comes back parsed. */
  async getFunction(functionName: string, options: QualifiedOptions = {}): Promise<FunctionConfig> {
    validateFunctionName(functionName);
    validateQualifier(options.qualifier);
    const raw = await this.#json<Record<string, unknown>>({
      action: 'GetFunction',
      method: 'GET',
      path: `/functions/${seg(functionName)}`,
      query: { qualifier: options.qualifier },
      idempotent: true,
      options,
    });
    return functionFromWire(raw);
  }

  async updateFunction(
    functionName: string,
    input: UpdateFunctionInput,
    options: CallOptions = {},
  ): Promise<FunctionConfig> {
    validateFunctionName(functionName);
    const raw = await this.#json<Record<string, unknown>>({
      action: 'UpdateFunction',
      method: 'PUT',
      path: `/functions/${seg(functionName)}`,
      json: functionBody(input),
      idempotent: true,
      options,
    });
    this.#forgetRoutes(functionName);
    return functionFromWire(raw);
  }

  async deleteFunction(functionName: string, options: CallOptions = {}): Promise<void> {
    validateFunctionName(functionName);
    await this.#json<unknown>({
      action: 'DeleteFunction',
      method: 'DELETE',
      path: `/functions/${seg(functionName)}`,
      idempotent: true,
      options,
      recover: (error) => (error.status === 404 ? Promise.resolve({}) : undefined),
    });
    this.#forgetRoutes(functionName);
  }

  async listFunctions(input: ListFunctionsInput = {}, options: CallOptions = {}): Promise<ListFunctionsOutput> {
    integerIn('limit', input.limit, LIST_LIMIT.min, LIST_LIMIT.max);
    const page = await this.#json<{ functions?: Record<string, unknown>[]; nextToken?: string }>({
      action: 'ListFunctions',
      method: 'GET',
      path: '/functions',
      query: { ...input },
      idempotent: true,
      options,
    });
    return {
      functions: (page.functions ?? []).map(functionFromWire),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    };
  }

  async *iterateFunctions(
    input: Omit<ListFunctionsInput, 'nextToken'> = {},
    options: CallOptions = {},
  ): AsyncGenerator<FunctionConfig> {
    let nextToken: string | undefined;
    do {
      const page = await this.listFunctions({ ...input, nextToken }, options);
      yield* page.functions;
      nextToken = page.nextToken;
    } while (nextToken);
  }

  // ---- versions -------------------------------------------------------------------------

  /** Publishes the function's current code and configuration as a new version; never repeated on its own (a repeat would publish another). */
  async publishFunctionVersion(
    functionName: string,
    input: PublishFunctionVersionInput = {},
    options: CallOptions = {},
  ): Promise<FunctionVersion> {
    validateFunctionName(functionName);
    validateDescription(input.description);
    return this.#json<FunctionVersion>({
      action: 'PublishFunctionVersion',
      method: 'POST',
      path: `/functions/${seg(functionName)}/versions`,
      json: input,
      idempotent: false,
      options,
    });
  }

  /** One page of versions, newest first unless `direction: 'FORWARD'`. */
  async listFunctionVersions(
    functionName: string,
    input: ListFunctionVersionsInput = {},
    options: CallOptions = {},
  ): Promise<ListFunctionVersionsOutput> {
    validateFunctionName(functionName);
    integerIn('limit', input.limit, LIST_LIMIT.min, LIST_LIMIT.max);
    oneOf('direction', input.direction, VERSION_DIRECTIONS);
    const page = await this.#json<Partial<ListFunctionVersionsOutput>>({
      action: 'ListFunctionVersions',
      method: 'GET',
      path: `/functions/${seg(functionName)}/versions`,
      query: { ...input },
      idempotent: true,
      options,
    });
    return {
      versions: page.versions ?? [],
      ...(page.direction ? { direction: page.direction } : {}),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    };
  }

  iterateFunctionVersions(
    functionName: string,
    input: Omit<ListFunctionVersionsInput, 'nextToken'> = {},
    options: CallOptions = {},
  ): AsyncGenerator<FunctionVersion> {
    return pages(async (nextToken) => {
      const page = await this.listFunctionVersions(functionName, { ...input, nextToken }, options);
      return { items: page.versions, nextToken: page.nextToken };
    });
  }

  /** Deletes a version (FC refuses while an alias points at it); a retry that finds it gone (404) counts as success. */
  async deleteFunctionVersion(functionName: string, versionId: string, options: CallOptions = {}): Promise<void> {
    validateFunctionName(functionName);
    validateVersionId(versionId);
    await this.#json<unknown>({
      action: 'DeleteFunctionVersion',
      method: 'DELETE',
      path: `/functions/${seg(functionName)}/versions/${seg(versionId)}`,
      idempotent: true,
      options,
      recover: (error) => (error.status === 404 ? Promise.resolve({}) : undefined),
    });
  }

  // ---- aliases --------------------------------------------------------------------------

  /** Creates an alias; a retry that meets its own earlier attempt (409) answers the alias. */
  async createAlias(functionName: string, input: CreateAliasInput, options: CallOptions = {}): Promise<Alias> {
    validateFunctionName(functionName);
    validateAliasName(input.aliasName);
    validateVersionId(input.versionId);
    validateDescription(input.description);
    validateVersionWeight(input.additionalVersionWeight, input.versionId);
    const alias = await this.#json<Alias>({
      action: 'CreateAlias',
      method: 'POST',
      path: `/functions/${seg(functionName)}/aliases`,
      json: input,
      idempotent: true,
      options,
      recover: (error) => (error.status === 409 ? this.getAlias(functionName, input.aliasName, options) : undefined),
    });
    this.#forgetRoutes(functionName);
    return alias;
  }

  async getAlias(functionName: string, aliasName: string, options: CallOptions = {}): Promise<Alias> {
    validateFunctionName(functionName);
    validateAliasName(aliasName);
    return this.#json<Alias>({
      action: 'GetAlias',
      method: 'GET',
      path: `/functions/${seg(functionName)}/aliases/${seg(aliasName)}`,
      idempotent: true,
      options,
    });
  }

  /** Points an alias at another version or changes its canary weights. */
  async updateAlias(
    functionName: string,
    aliasName: string,
    input: UpdateAliasInput,
    options: CallOptions = {},
  ): Promise<Alias> {
    validateFunctionName(functionName);
    validateAliasName(aliasName);
    if (input.versionId !== undefined) validateVersionId(input.versionId);
    validateDescription(input.description);
    validateVersionWeight(input.additionalVersionWeight, input.versionId);
    const alias = await this.#json<Alias>({
      action: 'UpdateAlias',
      method: 'PUT',
      path: `/functions/${seg(functionName)}/aliases/${seg(aliasName)}`,
      json: input,
      idempotent: true,
      options,
    });
    this.#forgetRoutes(functionName);
    return alias;
  }

  async listAliases(
    functionName: string,
    input: ListAliasesInput = {},
    options: CallOptions = {},
  ): Promise<ListAliasesOutput> {
    validateFunctionName(functionName);
    integerIn('limit', input.limit, LIST_LIMIT.min, LIST_LIMIT.max);
    const page = await this.#json<Partial<ListAliasesOutput>>({
      action: 'ListAliases',
      method: 'GET',
      path: `/functions/${seg(functionName)}/aliases`,
      query: { ...input },
      idempotent: true,
      options,
    });
    return { aliases: page.aliases ?? [], ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
  }

  iterateAliases(
    functionName: string,
    input: Omit<ListAliasesInput, 'nextToken'> = {},
    options: CallOptions = {},
  ): AsyncGenerator<Alias> {
    return pages(async (nextToken) => {
      const page = await this.listAliases(functionName, { ...input, nextToken }, options);
      return { items: page.aliases, nextToken: page.nextToken };
    });
  }

  /** Deletes an alias; a retry that finds it gone (404) counts as success. */
  async deleteAlias(functionName: string, aliasName: string, options: CallOptions = {}): Promise<void> {
    validateFunctionName(functionName);
    validateAliasName(aliasName);
    await this.#json<unknown>({
      action: 'DeleteAlias',
      method: 'DELETE',
      path: `/functions/${seg(functionName)}/aliases/${seg(aliasName)}`,
      idempotent: true,
      options,
      recover: (error) => (error.status === 404 ? Promise.resolve({}) : undefined),
    });
    this.#forgetRoutes(functionName);
  }

  // ---- async tasks ----------------------------------------------------------------------

  async getAsyncTask(functionName: string, taskId: string, options: QualifiedOptions = {}): Promise<AsyncTask> {
    this.#checkTask(functionName, taskId, options.qualifier);
    return this.#json<AsyncTask>({
      action: 'GetAsyncTask',
      method: 'GET',
      path: `/functions/${seg(functionName)}/async-tasks/${seg(taskId)}`,
      query: { qualifier: options.qualifier },
      idempotent: true,
      options,
    });
  }

  async listAsyncTasks(
    functionName: string,
    input: ListAsyncTasksInput = {},
    options: CallOptions = {},
  ): Promise<ListAsyncTasksOutput> {
    validateFunctionName(functionName);
    validateAsyncTaskFilters(input);
    const page = await this.#json<Partial<ListAsyncTasksOutput>>({
      action: 'ListAsyncTasks',
      method: 'GET',
      path: `/functions/${seg(functionName)}/async-tasks`,
      query: { ...input },
      idempotent: true,
      options,
    });
    return { tasks: page.tasks ?? [], ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
  }

  iterateAsyncTasks(
    functionName: string,
    input: Omit<ListAsyncTasksInput, 'nextToken'> = {},
    options: CallOptions = {},
  ): AsyncGenerator<AsyncTask> {
    return pages(async (nextToken) => {
      const page = await this.listAsyncTasks(functionName, { ...input, nextToken }, options);
      return { items: page.tasks, nextToken: page.nextToken };
    });
  }

  /**
   * Stops a running or queued task. A retry whose earlier attempt already stopped it (FC then
   * refuses the repeat) counts as success once GetAsyncTask shows it `Stopped` or `Stopping`.
   */
  async stopAsyncTask(functionName: string, taskId: string, options: QualifiedOptions = {}): Promise<void> {
    this.#checkTask(functionName, taskId, options.qualifier);
    await this.#json<unknown>({
      action: 'StopAsyncTask',
      method: 'PUT',
      path: `/functions/${seg(functionName)}/async-tasks/${seg(taskId)}/stop`,
      query: { qualifier: options.qualifier },
      idempotent: true,
      options,
      recover: (error) =>
        error.status !== undefined && error.status >= 400 && error.status < 500
          ? this.getAsyncTask(functionName, taskId, options).then((task) => {
              if (task.status === 'Stopped' || task.status === 'Stopping') return {};
              throw error;
            })
          : undefined,
    });
  }

  // ---- async invoke config --------------------------------------------------------------

  /** Sets how async calls of a function (or of one qualifier) are retried, aged out and delivered. */
  async putAsyncInvokeConfig(
    functionName: string,
    input: PutAsyncInvokeConfigInput,
    options: QualifiedOptions = {},
  ): Promise<AsyncInvokeConfig> {
    validateFunctionName(functionName);
    validateQualifier(options.qualifier);
    validateAsyncInvokeConfig(input);
    return this.#json<AsyncInvokeConfig>({
      action: 'PutAsyncInvokeConfig',
      method: 'PUT',
      path: `/functions/${seg(functionName)}/async-invoke-config`,
      query: { qualifier: options.qualifier },
      json: input,
      idempotent: true,
      options,
    });
  }

  async getAsyncInvokeConfig(functionName: string, options: QualifiedOptions = {}): Promise<AsyncInvokeConfig> {
    validateFunctionName(functionName);
    validateQualifier(options.qualifier);
    return this.#json<AsyncInvokeConfig>({
      action: 'GetAsyncInvokeConfig',
      method: 'GET',
      path: `/functions/${seg(functionName)}/async-invoke-config`,
      query: { qualifier: options.qualifier },
      idempotent: true,
      options,
    });
  }

  /** Deletes the config; a retry that finds it gone (404) counts as success. */
  async deleteAsyncInvokeConfig(functionName: string, options: QualifiedOptions = {}): Promise<void> {
    validateFunctionName(functionName);
    validateQualifier(options.qualifier);
    await this.#json<unknown>({
      action: 'DeleteAsyncInvokeConfig',
      method: 'DELETE',
      path: `/functions/${seg(functionName)}/async-invoke-config`,
      query: { qualifier: options.qualifier },
      idempotent: true,
      options,
      recover: (error) => (error.status === 404 ? Promise.resolve({}) : undefined),
    });
  }

  /** One page of the account's async invoke configs (of one function with `functionName`). */
  async listAsyncInvokeConfigs(
    input: ListAsyncInvokeConfigsInput = {},
    options: CallOptions = {},
  ): Promise<ListAsyncInvokeConfigsOutput> {
    if (input.functionName !== undefined) validateFunctionName(input.functionName);
    integerIn('limit', input.limit, LIST_LIMIT.min, LIST_LIMIT.max);
    const page = await this.#json<Partial<ListAsyncInvokeConfigsOutput>>({
      action: 'ListAsyncInvokeConfigs',
      method: 'GET',
      path: '/async-invoke-configs',
      query: { ...input },
      idempotent: true,
      options,
    });
    return { configs: page.configs ?? [], ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
  }

  iterateAsyncInvokeConfigs(
    input: Omit<ListAsyncInvokeConfigsInput, 'nextToken'> = {},
    options: CallOptions = {},
  ): AsyncGenerator<AsyncInvokeConfig> {
    return pages(async (nextToken) => {
      const page = await this.listAsyncInvokeConfigs({ ...input, nextToken }, options);
      return { items: page.configs, nextToken: page.nextToken };
    });
  }

  // ---- invoke -----------------------------------------------------------------------------

  /** Invokes a function (FC 3.0) and reads the whole answer. A function error is a result with `errorType`, not a throw. */
  async invoke(functionName: string, options: InvokeOptions = {}): Promise<InvokeResult> {
    const { result, sessionId, route } = await this.#invoke(functionName, options, fetched);
    return withBody(invokeMeta(result.response, sessionId, route), result.body);
  }

  /** Like `invoke`, but hands back the body as a stream, unbuffered. */
  async invokeStream(functionName: string, options: InvokeOptions = {}): Promise<InvokeStreamResult> {
    const { result, sessionId, route } = await this.#invoke(functionName, options, streamed);
    return Object.assign(invokeMeta(result, sessionId, route), { body: result });
  }

  /** Invokes an FC 2.0 function: `POST /2016-08-15/services/{service}.{qualifier}/functions/{fn}/invocations`, FC 2.0-signed. */
  async invokeFc2(serviceName: string, functionName: string, options: Fc2InvokeOptions = {}): Promise<Fc2InvokeResult> {
    validateFunctionName(serviceName, 'serviceName');
    validateFunctionName(functionName);
    validateQualifier(options.qualifier);
    oneOf('invocationType', options.invocationType, ['Sync', 'Async']);
    oneOf('logType', options.logType, ['None', 'Tail']);
    validateAsyncTaskId(options.statefulAsyncInvocationId, 'statefulAsyncInvocationId');
    integerIn('timeoutMs', options.timeoutMs, 1, 86_400_000);
    const service = options.qualifier ? `${seg(serviceName)}.${seg(options.qualifier)}` : seg(serviceName);
    const path = `/${FC2_API_VERSION}/services/${service}/functions/${seg(functionName)}/invocations`;
    const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
    const timeoutMs = options.timeoutMs ?? this.#invokeTimeout();
    const answer = await this.#attempts(
      { idempotent: false, retry: options.retry, signal: options.signal },
      async () => {
        const context = this.#contexts.get('invoke') ?? (await this.#context('invoke'));
        const headers: Record<string, string> = {
          ...lowerCased(options.headers),
          host: context.target.host,
          'content-type': 'application/octet-stream',
          'user-agent': this.#userAgent,
          ...(context.accountId ? { 'x-fc-account-id': context.accountId } : {}),
          'x-fc-invocation-type': options.invocationType ?? 'Sync',
          'x-fc-log-type': options.logType ?? 'None',
          ...(options.statefulAsyncInvocationId
            ? { 'x-fc-stateful-async-invocation-id': options.statefulAsyncInvocationId }
            : {}),
        };
        Object.assign(headers, signFc2Request({ method: 'POST', url: path, headers, body }, context.credentials));
        return fetched({
          target: context.target,
          method: 'POST',
          path,
          headers,
          body,
          timeoutMs,
          signal: options.signal,
        });
      },
    );
    return withBody(fc2Meta(answer.response), answer.body);
  }

  // ---- internals --------------------------------------------------------------------------

  /** Sends an FC 3.0 invocation through `transport` (whole answer or stream), with the session it went to. */
  async #invoke<R>(
    functionName: string,
    options: InvokeOptions,
    transport: (wire: WireRequest) => Promise<R>,
  ): Promise<{ result: R; sessionId: string | undefined; route: ResolvedRoute | undefined }> {
    validateFunctionName(functionName);
    validateQualifier(options.qualifier);
    oneOf('invocationType', options.invocationType, ['Sync', 'Async']);
    oneOf('logType', options.logType, ['None', 'Tail']);
    validateAsyncTaskId(options.asyncTaskId);
    integerIn('asyncDelaySeconds', options.asyncDelaySeconds, 0, 3600);
    const session = typeof options.session === 'string' ? { id: options.session } : options.session;
    if (session?.id !== undefined) validateSessionId(session.id, 'session.id');
    validateAffinityHeaderName(session?.headerName, 'session.headerName');
    integerIn('timeoutMs', options.timeoutMs, 1, 86_400_000);
    const route = session ? await this.#route(functionName, options.qualifier, session, options) : undefined;
    const headers = lowerCased(options.headers);
    if (route) Object.assign(headers, sessionHeaders(route, session?.id, functionName, headers['cookie']));
    headers['content-type'] ??= 'application/octet-stream';
    headers['x-fc-invocation-type'] = options.invocationType ?? 'Sync';
    headers['x-fc-log-type'] = options.logType ?? 'None';
    if (options.asyncTaskId) headers['x-fc-async-task-id'] = options.asyncTaskId;
    if (options.asyncDelaySeconds !== undefined) headers['x-fc-async-delay'] = String(options.asyncDelaySeconds);
    const body = options.body;
    const path = `/${API_VERSION}/functions/${seg(functionName)}/invocations${options.qualifier === undefined ? '' : encodeQuery({ qualifier: options.qualifier })}`;
    const timeoutMs = options.timeoutMs ?? this.#invokeTimeout();
    const result = await this.#attempts(
      { idempotent: false, retry: options.retry, signal: options.signal },
      async () => {
        const context = this.#contexts.get('invoke') ?? (await this.#context('invoke'));
        const signed = this.#acsHeaders(context, 'InvokeFunction', headers);
        Object.assign(signed, signRequest({ method: 'POST', url: path, headers: signed, body }, context.credentials));
        return transport({
          target: context.target,
          method: 'POST',
          path,
          headers: signed,
          body,
          timeoutMs,
          signal: options.signal,
        });
      },
    );
    return { result, sessionId: session?.id, route };
  }

  /** The function's affinity, from the caller or from GetFunction (cached for a minute). */
  async #route(
    functionName: string,
    qualifier: string | undefined,
    session: SessionRoute,
    options: CallOptions,
  ): Promise<ResolvedRoute> {
    if (session.affinity && (session.affinity !== 'HEADER_FIELD' || session.headerName)) {
      return { affinity: session.affinity, headerName: session.headerName };
    }
    const key = `${functionName}:${qualifier ?? ''}`;
    const cached = this.#routes.get(key);
    if (cached && cached.expires > Date.now()) return cached.route;
    // Only the signal carries over: the invocation's timeout and retry are not GetFunction's.
    const fn = await this.getFunction(functionName, { signal: options.signal, ...(qualifier ? { qualifier } : {}) });
    const route = {
      affinity: session.affinity ?? fn.sessionAffinity ?? 'NONE',
      headerName: session.headerName ?? fn.sessionAffinityConfig?.affinityHeaderFieldName,
    };
    this.#routes.set(key, { route, expires: Date.now() + 60_000 });
    return route;
  }

  #forgetRoutes(functionName: string): void {
    for (const key of this.#routes.keys()) if (key.startsWith(`${functionName}:`)) this.#routes.delete(key);
  }

  #checkTask(functionName: string, taskId: string, qualifier: string | undefined): void {
    validateFunctionName(functionName);
    validateAsyncTaskId(taskId, 'taskId');
    validateQualifier(qualifier);
  }

  #checkSession(functionName: string, sessionId: string, qualifier: string | undefined): void {
    validateFunctionName(functionName);
    validateSessionId(sessionId);
    validateQualifier(qualifier);
  }

  async #optionalJson<T>(op: Operation<T | undefined>): Promise<T | undefined> {
    const value = await this.#json(op);
    return value && typeof value === 'object' && Object.keys(value).length > 0 ? value : undefined;
  }

  /** Not `async`: every caller is, so a throw here still reaches its caller as a rejection. */
  #json<T>(op: Operation<T>): Promise<T> {
    const path = `/${API_VERSION}${op.path}${encodeQuery(op.query)}`;
    const body = op.json === undefined ? undefined : JSON.stringify(op.json);
    integerIn('timeoutMs', op.options?.timeoutMs, 1, 3_600_000);
    const timeoutMs = op.options?.timeoutMs ?? this.#options.timeoutMs ?? 30_000;
    const kind = op.kind ?? 'management';
    const signal = op.options?.signal;
    return this.#attempts<T>(
      { idempotent: op.idempotent, retry: op.options?.retry, signal, recover: op.recover },
      async () => {
        const context = this.#contexts.get(kind) ?? (await this.#context(kind));
        const headers = this.#acsHeaders(context, op.action, body === undefined ? JSON_ACCEPT : JSON_BODY);
        Object.assign(headers, signRequest({ method: op.method, url: path, headers, body }, context.credentials));
        const answer = await fetched({
          target: context.target,
          method: op.method,
          path,
          headers,
          body,
          timeoutMs,
          signal,
        });
        return parseJson<T>(op.action, answer.response, answer.body.toString('utf8'));
      },
    );
  }

  /** Runs `attempt` under the retry policy; unsafe calls are repeated only when the caller asks. */
  async #attempts<R>(
    call: {
      idempotent: boolean;
      retry: RetryOptions | boolean | undefined;
      signal: AbortSignal | undefined;
      recover?: ((error: FcError) => Promise<R> | undefined) | undefined;
    },
    attempt: () => Promise<R>,
  ): Promise<R> {
    const asked = call.retry === true && this.#retry.maxAttempts > 1 ? this.#retry : call.retry;
    const policy = call.idempotent ? retryPolicy(asked, this.#retry) : retryPolicy(asked ?? false, NO_RETRY);
    let unknown = false;
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (error) {
        const failure =
          error instanceof FcError
            ? error
            : new FcError({ code: 'InternalError', message: String(error), cause: error });
        const recovered = n > 1 ? call.recover?.(failure) : undefined;
        if (recovered) return recovered;
        unknown ||= failure.outcomeUnknown;
        if (!failure.retryable || n >= policy.maxAttempts || call.signal?.aborted) throw withOutcome(failure, unknown);
        await sleep(backoffDelay(n, policy), call.signal).catch((reason: unknown) => {
          throw new FcError({
            code: 'Aborted',
            message: `aborted while waiting to retry after: ${failure.message}`,
            outcomeUnknown: unknown,
            cause: reason,
          });
        });
      }
    }
  }

  /**
   * A new header record: the ACS headers every call carries, then those of `base` they do not
   * name. Built as one literal: spreading `base` first and adding the four to the copy costs V8 a
   * shape change per header, many times the copy itself.
   */
  #acsHeaders(context: Context, action: string, base: Readonly<Record<string, string>>): Record<string, string> {
    const headers: Record<string, string> = {
      host: context.target.host,
      'user-agent': this.#userAgent,
      'x-acs-action': action,
      'x-acs-version': API_VERSION,
    };
    for (const name in base) if (!(name in headers)) headers[name] = base[name]!;
    return headers;
  }

  #invokeTimeout(): number {
    return this.#options.invokeTimeoutMs ?? 600_000;
  }

  async #context(kind: EndpointKind): Promise<Context> {
    const { region, accountId } = await this.#resolvePlace();
    let target = this.#targets.get(kind);
    if (!target) {
      target = this.#pools.target(resolveEndpoint({ ...this.#options, region, accountId }, kind));
      this.#targets.set(kind, target);
    }
    const context = { credentials: this.#static ?? (await this.#credentials()), target, accountId };
    if (this.#static) this.#contexts.set(kind, context);
    return context;
  }

  #resolvePlace(): Promise<{ region: string | undefined; accountId: string | undefined }> {
    this.#place ??= (async () => ({
      region: this.#options.region ?? (await resolveRegion(this.#options)),
      accountId: this.#options.accountId ?? (await resolveAccountId(this.#options)),
    }))();
    return this.#place;
  }

  #credentials(): Promise<Credentials> {
    const given = this.#options.credentials;
    if (typeof given === 'function') return given().then(protectCredentials);
    this.#chain ??= defaultCredentialsChain(this.#options)().catch((error: unknown) => {
      this.#chain = undefined;
      throw error;
    });
    return this.#chain;
  }
}

/** Every item of every page, fetching the next page only when the caller gets that far. */
async function* pages<T>(
  fetchPage: (nextToken: string | undefined) => Promise<{ items: T[]; nextToken: string | undefined }>,
): AsyncGenerator<T> {
  let nextToken: string | undefined;
  do {
    const page = await fetchPage(nextToken);
    yield* page.items;
    nextToken = page.nextToken;
  } while (nextToken);
}

/** `failure` as the call's outcome: unknown when any attempt's was (an earlier one may have acted). */
function withOutcome(failure: FcError, unknown: boolean): FcError {
  if (failure.outcomeUnknown === unknown) return failure;
  const { code, message, status, requestId, retryable, field } = failure;
  return new FcError({
    code,
    message,
    status,
    requestId,
    retryable,
    field,
    outcomeUnknown: unknown,
    cause: failure.cause,
  });
}

/** Sends and reads the whole answer; an error status is thrown as an FcError read from the body. */
async function fetched(wire: WireRequest): Promise<Answer> {
  const answer = await exchange(wire);
  if ((answer.response.statusCode ?? 0) >= 400) throw statusError(answer.response, answer.body);
  return answer;
}

/** Sends and hands back the response to stream; an error status is read and thrown as for `fetched`. */
async function streamed(wire: WireRequest): Promise<IncomingMessage> {
  const response = await send(wire);
  if ((response.statusCode ?? 0) < 400) return response;
  throw statusError(response, await readBody(response));
}

/** The FcError of an answer with an error status, from its code and message. */
function statusError(response: IncomingMessage, body: Buffer): FcError {
  return errorFromResponse(
    response.statusCode ?? 0,
    body.toString('utf8'),
    header(response, 'x-fc-request-id') ?? header(response, 'x-acs-request-id'),
  );
}

function parseJson<T>(action: string, response: IncomingMessage, text: string): T {
  if (!text) return {} as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new FcError({
      code: 'InvalidResponse',
      message: `${action} answered ${response.statusCode} with a body that is not JSON: ${text.slice(0, 200)}`,
      status: response.statusCode,
      requestId: header(response, 'x-fc-request-id'),
    });
  }
}

function lowerCased(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) out[name.toLowerCase()] = headers[name]!;
  return out;
}
