import { parseSchedule } from './schedule.js';
import { booleanOrUndefined, invalid, oneOf, validateQualifier } from './validate.js';

/** `triggerType` values FC documents. */
export const TRIGGER_TYPES = [
  'http',
  'timer',
  'oss',
  'log',
  'tablestore',
  'cdn_events',
  'mns_topic',
  'eventbridge',
] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number] | (string & {});

/** An HTTP trigger's `authType`: `anonymous`, or `function` (requests signed like an API call); `jwt` is FC's JWT mode. */
export const HTTP_AUTH_TYPES = ['anonymous', 'function', 'jwt'] as const;
export type HttpAuthType = (typeof HTTP_AUTH_TYPES)[number];
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
/** A timer trigger's `payload` (FC: at most 128 KB, as an async invocation's). */
export const TIMER_PAYLOAD_MAX_BYTES = 128 * 1024;
/** `description` of a trigger (a guess). */
export const TRIGGER_DESCRIPTION_MAX_LENGTH = 256;

/** The SDK's `TimerTriggerConfig`. */
export interface TimerTriggerConfig {
  /** `@every 5m` or `seconds minutes hours day-of-month month day-of-week` (UTC unless `CRON_TZ=<zone> ...`). */
  cronExpression: string;
  /** Default true. */
  enable?: boolean;
  /** Passed as `payload` in the event the function gets. */
  payload?: string;
}

/** The SDK's `HTTPTriggerConfig`. */
export interface HttpTriggerConfig {
  /** Default `function`. */
  authType?: HttpAuthType;
  /** JSON text, for `jwt`. */
  authConfig?: string;
  methods: HttpMethod[];
  disableURLInternet?: boolean;
  corsConfig?: Record<string, unknown>;
}

/** `triggerConfig` of any trigger type; FC takes and answers it as JSON text, the client as an object. */
export type TriggerConfig = TimerTriggerConfig | HttpTriggerConfig | Record<string, unknown>;

/** The SDK's `CreateTriggerInput`. */
export interface CreateTriggerInput {
  /** 1-128 of letters, digits, `_` and `-`, not starting with a digit or `-`. */
  triggerName: string;
  triggerType: TriggerType;
  triggerConfig: TriggerConfig;
  /** Version or alias the trigger invokes (default LATEST). */
  qualifier?: string;
  description?: string;
  invocationRole?: string;
  sourceArn?: string;
}

/** The SDK's `UpdateTriggerInput`. */
export interface UpdateTriggerInput {
  triggerConfig?: TriggerConfig;
  qualifier?: string;
  description?: string;
  invocationRole?: string;
}

/** The fields of a `CreateTriggerInput`, as the SDK names them. */
export const CREATE_TRIGGER_FIELDS = [
  'triggerName',
  'triggerType',
  'triggerConfig',
  'qualifier',
  'description',
  'invocationRole',
  'sourceArn',
] as const satisfies readonly (keyof CreateTriggerInput)[];

/** The fields of an `UpdateTriggerInput`, as the SDK names them. */
export const UPDATE_TRIGGER_FIELDS = [
  'triggerConfig',
  'qualifier',
  'description',
  'invocationRole',
] as const satisfies readonly (keyof UpdateTriggerInput)[];

/** The SDK's `Trigger`, with `triggerConfig` parsed. */
export interface Trigger {
  triggerName: string;
  triggerType: TriggerType;
  triggerConfig?: TriggerConfig;
  triggerId?: string;
  qualifier?: string;
  description?: string;
  invocationRole?: string;
  sourceArn?: string;
  targetArn?: string;
  status?: string;
  createdTime?: string;
  lastModifiedTime?: string;
  /** HTTP triggers: the URLs that reach the function. */
  httpTrigger?: { urlInternet?: string; urlIntranet?: string };
}

/** The SDK's `ListTriggersRequest`. */
export interface ListTriggersInput {
  /** [1, 100] */
  limit?: number;
  nextToken?: string;
  prefix?: string;
}

export interface ListTriggersOutput {
  triggers: Trigger[];
  nextToken?: string;
}

export function validateTriggerName(value: unknown, field = 'triggerName'): void {
  if (typeof value !== 'string' || !/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/.test(value))
    throw invalid(
      field,
      value,
      'must be 1-128 characters of letters, digits, "_" and "-", not starting with a digit or "-"',
    );
}

function text(field: string, value: unknown, maxLength: number): void {
  if (value !== undefined && (typeof value !== 'string' || value.length > maxLength))
    throw invalid(field, value, `must be a string of at most ${maxLength} characters`);
}

function object(field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(field, value, 'must be an object');
  return value as Record<string, unknown>;
}

function onlyKeys(field: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(value))
    if (!known.includes(key))
      throw invalid(`${field}.${key}`, value[key], `is not a field of ${field} (known: ${known.join(', ')})`);
}

/** Checks the timer and HTTP configs field by field; other trigger types' configs only as objects. */
export function validateTriggerConfig(type: TriggerType, config: unknown, field = 'triggerConfig'): void {
  const value = object(field, config);
  if (type === 'timer') {
    onlyKeys(field, value, ['cronExpression', 'enable', 'payload']);
    parseSchedule(value['cronExpression'], `${field}.cronExpression`);
    booleanOrUndefined(`${field}.enable`, value['enable']);
    const payload = value['payload'];
    if (payload !== undefined && (typeof payload !== 'string' || Buffer.byteLength(payload) > TIMER_PAYLOAD_MAX_BYTES))
      throw invalid(`${field}.payload`, payload, `must be a string of at most ${TIMER_PAYLOAD_MAX_BYTES} bytes`);
  } else if (type === 'http') {
    onlyKeys(field, value, ['authType', 'authConfig', 'methods', 'disableURLInternet', 'corsConfig']);
    oneOf(`${field}.authType`, value['authType'], HTTP_AUTH_TYPES);
    text(`${field}.authConfig`, value['authConfig'], 16_384);
    const methods = value['methods'];
    if (!Array.isArray(methods) || methods.length === 0)
      throw invalid(`${field}.methods`, methods, `must list at least one of ${HTTP_METHODS.join(', ')}`);
    for (const [i, method] of methods.entries()) oneOf(`${field}.methods[${i}]`, method, HTTP_METHODS);
    booleanOrUndefined(`${field}.disableURLInternet`, value['disableURLInternet']);
    if (value['corsConfig'] !== undefined) object(`${field}.corsConfig`, value['corsConfig']);
  }
}

function common(input: { qualifier?: unknown; description?: unknown; invocationRole?: unknown }): void {
  validateQualifier(input.qualifier);
  text('description', input.description, TRIGGER_DESCRIPTION_MAX_LENGTH);
  text('invocationRole', input.invocationRole, 1024);
}

/** CreateTrigger's body, checked, with `triggerConfig` as FC's JSON text. */
export function createTriggerBody(input: CreateTriggerInput): Record<string, unknown> {
  object('input', input);
  validateTriggerName(input.triggerName);
  if (typeof input.triggerType !== 'string' || input.triggerType === '')
    throw invalid('triggerType', input.triggerType, `is required (${TRIGGER_TYPES.join(', ')})`);
  validateTriggerConfig(input.triggerType, input.triggerConfig);
  common(input);
  text('sourceArn', input.sourceArn, 1024);
  return { ...input, triggerConfig: JSON.stringify(input.triggerConfig) };
}

/**
 * UpdateTrigger's body, checked. The request does not name the trigger's type, so a config is
 * checked as a timer's when it has `cronExpression`, as an HTTP trigger's when it has `methods`
 * or `authType`, else only as an object.
 */
export function updateTriggerBody(input: UpdateTriggerInput): Record<string, unknown> {
  object('input', input);
  common(input);
  const config = input.triggerConfig;
  if (config === undefined) return { ...input };
  const shape = object('triggerConfig', config);
  const type = 'cronExpression' in shape ? 'timer' : 'methods' in shape || 'authType' in shape ? 'http' : '';
  validateTriggerConfig(type, config);
  return { ...input, triggerConfig: JSON.stringify(config) };
}

/** FC answers `triggerConfig` as JSON text; callers get it parsed (kept as text if it is not JSON). */
export function triggerFromWire(raw: Record<string, unknown>): Trigger {
  const config = raw['triggerConfig'];
  if (typeof config !== 'string') return raw as unknown as Trigger;
  let parsed: unknown;
  try {
    parsed = config ? JSON.parse(config) : undefined;
  } catch {
    parsed = undefined;
  }
  return { ...raw, triggerConfig: parsed } as unknown as Trigger;
}
