import { Credentials } from './credentials.js';
import { type HeaderLookup, type HeaderSource, headerLookup, text } from './headers.js';

/** What a request is for, from `x-fc-control-path` (or, in `serve`, from the path FC called). */
export type ControlKind = 'invoke' | 'http' | 'initialize' | 'pre-stop';
export type InvocationType = 'Sync' | 'Async';
export type Env = Readonly<Record<string, string | undefined>>;

export interface ReadOptions {
  /** Where instance facts (`FC_*`, `ALIBABA_CLOUD_*`) come from; defaults to `process.env`. */
  readonly env?: Env;
}

export interface Tracing {
  /** OpenTracing span context, `traceId:spanId:parentId:flags`. */
  readonly spanContext: string | undefined;
  readonly baggage: Readonly<Record<string, string>> | undefined;
  readonly jaegerEndpoint: string | undefined;
}

export interface Deadline {
  /** Epoch milliseconds at which FC stops the request: its arrival plus the function timeout. */
  readonly at: number;
  /** Milliseconds left before `at`, never below 0. */
  remainingMs(): number;
}

/**
 * One request as FC describes it. Every field is `undefined` when FC did not send it or sent
 * something malformed. Instance facts fall back to the environment when the request lacks them.
 */
export interface Invocation {
  readonly requestId: string | undefined;
  readonly functionName: string | undefined;
  readonly handler: string | undefined;
  readonly memoryMB: number | undefined;
  readonly timeoutSeconds: number | undefined;
  readonly region: string | undefined;
  readonly accountId: string | undefined;
  readonly qualifier: string | undefined;
  readonly versionId: string | undefined;
  /** From `FC_INSTANCE_ID`: FC does not send it with requests. */
  readonly instanceId: string | undefined;
  /** `x-fc-control-path` as sent: `/invoke`, `/http-invoke`, `/initialize`. */
  readonly controlPath: string | undefined;
  readonly kind: ControlKind | undefined;
  readonly retryCount: number | undefined;
  /** FC 3.0 `x-fc-async-task-id` or FC 2.0 `x-fc-stateful-async-invocation-id`. */
  readonly asyncTaskId: string | undefined;
  /** Only where the caller's `x-fc-invocation-type` reaches the function: FC does not add it. */
  readonly invocationType: InvocationType | undefined;
  readonly logProject: string | undefined;
  readonly logStore: string | undefined;
  readonly tracing: Tracing | undefined;
  readonly deadline: Deadline | undefined;
  readonly credentials: Credentials | undefined;
}

/** Values of an invocation as one source provides them, before validation. */
export interface RawInvocation {
  readonly requestId?: unknown;
  readonly functionName?: unknown;
  readonly handler?: unknown;
  readonly memory?: unknown;
  readonly timeout?: unknown;
  readonly region?: unknown;
  readonly accountId?: unknown;
  readonly qualifier?: unknown;
  readonly versionId?: unknown;
  readonly controlPath?: unknown;
  readonly kind?: ControlKind;
  readonly retryCount?: unknown;
  readonly asyncTaskId?: unknown;
  readonly invocationType?: unknown;
  readonly logProject?: unknown;
  readonly logStore?: unknown;
  readonly spanContext?: unknown;
  readonly baggage?: unknown;
  readonly jaegerEndpoint?: unknown;
  readonly accessKeyId?: unknown;
  readonly accessKeySecret?: unknown;
  readonly securityToken?: unknown;
}

const KINDS: Readonly<Record<string, ControlKind>> = {
  '/invoke': 'invoke',
  '/http-invoke': 'http',
  '/initialize': 'initialize',
  '/pre-stop': 'pre-stop',
};

/** A non-negative integer given as a number or as digits. */
function count(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const digits = text(value);
  return digits !== undefined && /^\d{1,15}$/.test(digits) ? Number(digits) : undefined;
}

function invocationType(value: unknown): InvocationType | undefined {
  const type = text(value)?.toLowerCase();
  return type === 'sync' ? 'Sync' : type === 'async' ? 'Async' : undefined;
}

/** Baggage as FC sends it (base64 of a JSON object, or the object itself), as a record of strings. */
function baggage(value: unknown): Readonly<Record<string, string>> | undefined {
  let parsed = value;
  const encoded = text(value);
  if (encoded !== undefined) {
    try {
      parsed = JSON.parse(encoded.startsWith('{') ? encoded : Buffer.from(encoded, 'base64').toString('utf8'));
    } catch {
      return undefined;
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const entries = Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function tracing(raw: RawInvocation): Tracing | undefined {
  const found: Tracing = {
    spanContext: text(raw.spanContext),
    baggage: baggage(raw.baggage),
    jaegerEndpoint: text(raw.jaegerEndpoint),
  };
  return (found.spanContext ?? found.baggage ?? found.jaegerEndpoint) ? found : undefined;
}

function deadline(timeoutSeconds: number | undefined): Deadline | undefined {
  if (timeoutSeconds === undefined) return undefined;
  const at = Date.now() + timeoutSeconds * 1000;
  return { at, remainingMs: () => Math.max(0, at - Date.now()) };
}

function credentials(id: unknown, secret: unknown, token: unknown): Credentials | undefined {
  const accessKeyId = text(id);
  const accessKeySecret = text(secret);
  return accessKeyId && accessKeySecret ? new Credentials(accessKeyId, accessKeySecret, text(token)) : undefined;
}

export function defaultEnv(): Env {
  return typeof process === 'object' ? process.env : {};
}

/** Validates one source's values; instance facts the source lacks come from `env`. */
export function toInvocation(raw: RawInvocation, env: Env): Invocation {
  const controlPath = text(raw.controlPath);
  const timeoutSeconds = count(raw.timeout);
  return {
    requestId: text(raw.requestId),
    functionName: text(raw.functionName) ?? text(env['FC_FUNCTION_NAME']),
    handler: text(raw.handler) ?? text(env['FC_FUNCTION_HANDLER']),
    memoryMB: count(raw.memory) ?? count(env['FC_FUNCTION_MEMORY_SIZE']),
    timeoutSeconds,
    region: text(raw.region) ?? text(env['FC_REGION']),
    accountId: text(raw.accountId) ?? text(env['FC_ACCOUNT_ID']),
    qualifier: text(raw.qualifier) ?? text(env['FC_QUALIFIER']),
    versionId: text(raw.versionId) ?? text(env['FC_FUNCTION_VERSION']) ?? text(env['FC_VER_ID']),
    instanceId: text(env['FC_INSTANCE_ID']),
    controlPath,
    kind: raw.kind ?? (controlPath === undefined ? undefined : KINDS[controlPath]),
    retryCount: count(raw.retryCount),
    asyncTaskId: text(raw.asyncTaskId),
    invocationType: invocationType(raw.invocationType),
    logProject: text(raw.logProject),
    logStore: text(raw.logStore),
    tracing: tracing(raw),
    deadline: deadline(timeoutSeconds),
    credentials:
      credentials(raw.accessKeyId, raw.accessKeySecret, raw.securityToken) ??
      credentials(
        env['ALIBABA_CLOUD_ACCESS_KEY_ID'],
        env['ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
        env['ALIBABA_CLOUD_SECURITY_TOKEN'],
      ),
  };
}

export function invocationFromHeaders(header: HeaderLookup, env: Env): Invocation {
  return toInvocation(
    {
      requestId: header('x-fc-request-id'),
      functionName: header('x-fc-function-name'),
      handler: header('x-fc-function-handler'),
      memory: header('x-fc-function-memory'),
      timeout: header('x-fc-function-timeout'),
      region: header('x-fc-region'),
      accountId: header('x-fc-account-id'),
      qualifier: header('x-fc-qualifier'),
      versionId: header('x-fc-version-id'),
      controlPath: header('x-fc-control-path'),
      retryCount: header('x-fc-retry-count'),
      asyncTaskId: header('x-fc-async-task-id') ?? header('x-fc-stateful-async-invocation-id'),
      invocationType: header('x-fc-invocation-type'),
      logProject: header('x-fc-service-logproject'),
      logStore: header('x-fc-service-logstore'),
      spanContext: header('x-fc-tracing-opentracing-span-context'),
      baggage: header('x-fc-tracing-opentracing-span-baggages'),
      jaegerEndpoint: header('x-fc-tracing-jaeger-endpoint'),
      accessKeyId: header('x-fc-access-key-id'),
      accessKeySecret: header('x-fc-access-key-secret'),
      securityToken: header('x-fc-security-token'),
    },
    env,
  );
}

/** Reads the invocation FC describes in a request's `x-fc-*` headers. Never throws. */
export function readInvocation(source: HeaderSource, options: ReadOptions = {}): Invocation {
  return invocationFromHeaders(headerLookup(source), options.env ?? defaultEnv());
}
