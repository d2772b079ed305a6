import { Credentials } from './credentials.js';
import { type HeaderLookup, type HeaderSet, type HeaderSource, headerSet, text } from './headers.js';

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
  readonly versionId: string | undefined;
  /** From `FC_INSTANCE_ID`: FC does not send it with requests. */
  readonly instanceId: string | undefined;
}

/** Where the sources carry one field of an invocation, and how its value is read. */
interface FieldSource {
  /** The `x-fc-*` headers, the first one present wins. */
  readonly headers: readonly string[];
  /** Where a built-in runtime's `context` has it. */
  readonly context?: readonly string[];
  /** The instance's environment variables, read (the first one set wins) when the request lacks the field. */
  readonly env?: readonly string[];
  /** Trimmed `text`, a non-negative integer `count` (number or digits), or `raw` (decoded later). */
  readonly parse: 'text' | 'count' | 'raw';
}

/** Every field FC describes a request with: the one list the header, context and environment readers are made from. */
export const FIELDS = {
  requestId: { headers: ['x-fc-request-id'], context: ['requestId'], parse: 'text' },
  functionName: {
    headers: ['x-fc-function-name'],
    context: ['function', 'name'],
    env: ['FC_FUNCTION_NAME'],
    parse: 'text',
  },
  handler: {
    headers: ['x-fc-function-handler'],
    context: ['function', 'handler'],
    env: ['FC_FUNCTION_HANDLER'],
    parse: 'text',
  },
  memory: {
    headers: ['x-fc-function-memory'],
    context: ['function', 'memory'],
    env: ['FC_FUNCTION_MEMORY_SIZE'],
    parse: 'count',
  },
  timeout: { headers: ['x-fc-function-timeout'], context: ['function', 'timeout'], parse: 'count' },
  region: { headers: ['x-fc-region'], context: ['region'], env: ['FC_REGION'], parse: 'text' },
  accountId: { headers: ['x-fc-account-id'], context: ['accountId'], env: ['FC_ACCOUNT_ID'], parse: 'text' },
  qualifier: { headers: ['x-fc-qualifier'], context: ['service', 'qualifier'], env: ['FC_QUALIFIER'], parse: 'text' },
  versionId: {
    headers: ['x-fc-version-id'],
    context: ['service', 'versionId'],
    env: ['FC_FUNCTION_VERSION', 'FC_VER_ID'],
    parse: 'text',
  },
  /** FC sends no instance id with requests: only the instance's environment has it. */
  instanceId: { headers: [], env: ['FC_INSTANCE_ID'], parse: 'text' },
  controlPath: { headers: ['x-fc-control-path'], parse: 'text' },
  retryCount: { headers: ['x-fc-retry-count'], parse: 'count' },
  asyncTaskId: { headers: ['x-fc-async-task-id', 'x-fc-stateful-async-invocation-id'], parse: 'text' },
  invocationType: { headers: ['x-fc-invocation-type'], parse: 'text' },
  logProject: { headers: ['x-fc-service-logproject'], context: ['service', 'logProject'], parse: 'text' },
  logStore: { headers: ['x-fc-service-logstore'], context: ['service', 'logStore'], parse: 'text' },
  spanContext: {
    headers: ['x-fc-tracing-opentracing-span-context'],
    context: ['tracing', 'openTracingSpanContext'],
    parse: 'text',
  },
  baggage: {
    headers: ['x-fc-tracing-opentracing-span-baggages'],
    context: ['tracing', 'openTracingSpanBaggages'],
    parse: 'raw',
  },
  jaegerEndpoint: { headers: ['x-fc-tracing-jaeger-endpoint'], context: ['tracing', 'jaegerEndpoint'], parse: 'text' },
  accessKeyId: {
    headers: ['x-fc-access-key-id'],
    context: ['credentials', 'accessKeyId'],
    env: ['ALIBABA_CLOUD_ACCESS_KEY_ID'],
    parse: 'text',
  },
  accessKeySecret: {
    headers: ['x-fc-access-key-secret'],
    context: ['credentials', 'accessKeySecret'],
    env: ['ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
    parse: 'text',
  },
  securityToken: {
    headers: ['x-fc-security-token'],
    context: ['credentials', 'securityToken'],
    env: ['ALIBABA_CLOUD_SECURITY_TOKEN'],
    parse: 'text',
  },
} as const satisfies Record<string, FieldSource>;

type Fields = typeof FIELDS;
type FieldKey = keyof Fields;

/** Values of an invocation as one source provides them: texts already through `text`, the others as given. */
export type RawInvocation = {
  readonly [K in FieldKey]?: Fields[K]['parse'] extends 'text' ? string | undefined : unknown;
} & { readonly kind?: ControlKind | undefined };

const FIELD_LIST = Object.entries(FIELDS) as [FieldKey, FieldSource][];

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
  if (digits === undefined || digits.length > 15) return undefined;
  for (let i = 0; i < digits.length; i++) {
    const code = digits.charCodeAt(i);
    if (code < 48 || code > 57) return undefined;
  }
  return Number(digits);
}

function invocationType(value: string | undefined): InvocationType | undefined {
  const type = value?.toLowerCase();
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

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * Tracing whose baggage is decoded on its first read, not on every request. It serialises and
 * prints as the plain `{ spanContext, baggage, jaegerEndpoint }` it stands for.
 */
class LazyTracing implements Tracing {
  readonly spanContext: string | undefined;
  readonly jaegerEndpoint: string | undefined;
  #encoded: unknown;
  #decoded = false;
  #baggage: Readonly<Record<string, string>> | undefined;

  constructor(spanContext: string | undefined, encoded: unknown, jaegerEndpoint: string | undefined) {
    this.spanContext = spanContext;
    this.jaegerEndpoint = jaegerEndpoint;
    this.#encoded = encoded;
  }

  get baggage(): Readonly<Record<string, string>> | undefined {
    if (!this.#decoded) {
      this.#baggage = baggage(this.#encoded);
      this.#decoded = true;
      this.#encoded = undefined;
    }
    return this.#baggage;
  }

  toJSON(): Tracing {
    return { spanContext: this.spanContext, baggage: this.baggage, jaegerEndpoint: this.jaegerEndpoint };
  }

  [INSPECT](): Tracing {
    return this.toJSON();
  }
}

function tracing(raw: RawInvocation): Tracing | undefined {
  const found = new LazyTracing(raw.spanContext, raw.baggage, raw.jaegerEndpoint);
  return (found.spanContext ?? found.jaegerEndpoint ?? found.baggage) ? found : undefined;
}

function deadline(timeoutSeconds: number | undefined): Deadline | undefined {
  if (timeoutSeconds === undefined) return undefined;
  const at = Date.now() + timeoutSeconds * 1000;
  return { at, remainingMs: () => Math.max(0, at - Date.now()) };
}

function credentials(
  accessKeyId: string | undefined,
  accessKeySecret: string | undefined,
  securityToken: string | undefined,
): Credentials | undefined {
  return accessKeyId && accessKeySecret ? new Credentials(accessKeyId, accessKeySecret, securityToken) : undefined;
}

export function defaultEnv(): Env {
  return typeof process === 'object' ? process.env : {};
}

type EnvKey = { [K in FieldKey]: Fields[K] extends { readonly env: readonly string[] } ? K : never }[FieldKey];

/** The first of the instance's environment variables for `key` that is set, as text. */
function fromEnv(env: Env, key: EnvKey): string | undefined {
  let value: string | undefined;
  for (const name of FIELDS[key].env) value ??= text(env[name]);
  return value;
}

function envCredentials(env: Env): Credentials | undefined {
  return credentials(fromEnv(env, 'accessKeyId'), fromEnv(env, 'accessKeySecret'), fromEnv(env, 'securityToken'));
}

/** The fields an invocation is made with: those of `Invocation`, less the two read on first access. */
type EagerFields = { -readonly [K in Exclude<keyof Invocation, 'versionId' | 'instanceId'>]: Invocation[K] };

/**
 * A base that declares `EagerFields` (the constructor below sets each) without listing them again:
 * `Object` itself, typed as making them.
 */
const WithEagerFields = Object as unknown as new () => EagerFields;

/**
 * An invocation as one object shape. `versionId` and `instanceId` come from the environment on
 * nearly every request (FC sends no instance id, and an empty version for LATEST), and reading
 * `process.env` costs more than all the headers, so they are read on first access; the object
 * still serialises and prints with every field, in the order of `Invocation`.
 */
class FcInvocation extends WithEagerFields implements Invocation {
  readonly #env: Env;
  #versionId: string | undefined;
  #versionRead: boolean;
  #instanceId: string | undefined;
  #instanceRead = false;

  constructor(raw: RawInvocation, env: Env) {
    super();
    const controlPath = raw.controlPath;
    const timeoutSeconds = count(raw.timeout);
    this.requestId = raw.requestId;
    this.functionName = raw.functionName ?? fromEnv(env, 'functionName');
    this.handler = raw.handler ?? fromEnv(env, 'handler');
    this.memoryMB = count(raw.memory) ?? count(fromEnv(env, 'memory'));
    this.timeoutSeconds = timeoutSeconds;
    this.region = raw.region ?? fromEnv(env, 'region');
    this.accountId = raw.accountId ?? fromEnv(env, 'accountId');
    this.qualifier = raw.qualifier ?? fromEnv(env, 'qualifier');
    this.controlPath = controlPath;
    this.kind = raw.kind ?? (controlPath === undefined ? undefined : KINDS[controlPath]);
    this.retryCount = count(raw.retryCount);
    this.asyncTaskId = raw.asyncTaskId;
    this.invocationType = invocationType(raw.invocationType);
    this.logProject = raw.logProject;
    this.logStore = raw.logStore;
    this.tracing = tracing(raw);
    this.deadline = deadline(timeoutSeconds);
    this.credentials = credentials(raw.accessKeyId, raw.accessKeySecret, raw.securityToken) ?? envCredentials(env);
    this.#env = env;
    this.#versionId = raw.versionId;
    this.#versionRead = this.#versionId !== undefined;
  }

  get versionId(): string | undefined {
    if (!this.#versionRead) {
      this.#versionId = fromEnv(this.#env, 'versionId');
      this.#versionRead = true;
    }
    return this.#versionId;
  }

  get instanceId(): string | undefined {
    if (!this.#instanceRead) {
      this.#instanceId = fromEnv(this.#env, 'instanceId');
      this.#instanceRead = true;
    }
    return this.#instanceId;
  }

  toJSON(): Invocation {
    return { ...this, versionId: this.versionId, instanceId: this.instanceId };
  }

  [INSPECT](): Invocation {
    return this.toJSON();
  }
}

/** Validates one source's values; instance facts the source lacks come from `env`. */
export function toInvocation(raw: RawInvocation, env: Env): Invocation {
  return new FcInvocation(raw, env);
}

type RecordReader = (
  h: HeaderSet['record'],
  lookup: HeaderLookup,
  read: typeof text,
  kind: ControlKind | undefined,
) => RawInvocation;

/**
 * Reads every field from a header record, in straight-line code written from `FIELDS` once, at
 * load: each `h["x-fc-..."]` is then its own property read, which engines make fast per call
 * site (a loop over the names is one slow site for all of them, about half the speed). A string
 * in the record is taken as it is, anything else goes through `lookup`.
 */
const readRecord = new Function(
  'h',
  'lookup',
  'read',
  'kind',
  `"use strict"; let v; return { kind, ${FIELD_LIST.map(
    ([key, { headers }]) =>
      `${JSON.stringify(key)}: ${
        headers
          .map(
            (name) =>
              `(v = h[${JSON.stringify(name)}], typeof v === "string" ? read(v) : lookup(${JSON.stringify(name)}))`,
          )
          .join(' ?? ') || 'undefined'
      }`,
  ).join(', ')} };`,
) as RecordReader;

function rawFromHeaders(h: HeaderSet['record'], lookup: HeaderLookup, kind: ControlKind | undefined): RawInvocation {
  return readRecord(h, lookup, text, kind);
}

/** `kind`, when given, stands instead of the one `x-fc-control-path` names. */
export function invocationFromHeaders({ record, lookup }: HeaderSet, env: Env, kind?: ControlKind): Invocation {
  let raw: RawInvocation;
  try {
    raw = rawFromHeaders(record, lookup, kind);
  } catch {
    // A record whose property getter throws: every name goes through `lookup`, which never throws.
    raw = rawFromHeaders({}, lookup, kind);
  }
  return toInvocation(raw, env);
}

/** Reads the invocation FC describes in a request's `x-fc-*` headers. Never throws. */
export function readInvocation(source: HeaderSource, options: ReadOptions = {}): Invocation {
  return invocationFromHeaders(headerSet(source), options.env ?? defaultEnv());
}
