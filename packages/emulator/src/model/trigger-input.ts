import {
  CREATE_TRIGGER_FIELDS,
  FcError,
  TRIGGER_DESCRIPTION_MAX_LENGTH,
  UPDATE_TRIGGER_FIELDS,
  validateQualifier,
  validateTriggerConfig,
  validateTriggerName,
} from '@fc-sessions/client';
import { ApiError, invalidArgument } from '../errors.js';
import { isPlainObject } from './validate.js';

/** The trigger types the emulator runs; others are kept (CreateTrigger, GetTrigger...) but never fire. */
export const RUN_TRIGGER_TYPES = ['http', 'timer'] as const;

/** What CreateTrigger or UpdateTrigger sets. `triggerConfig` stays JSON text, as FC answers it. */
export interface TriggerInput {
  triggerConfig?: string;
  qualifier?: string;
  description?: string;
  invocationRole?: string;
  sourceArn?: string;
}

export interface CreateTriggerInput extends TriggerInput {
  triggerName: string;
  triggerType: string;
  triggerConfig: string;
}

/** Runs one of the client's validators; its message (field, value, range) becomes a 400. */
function checked(check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof FcError) throw invalidArgument(error.message);
    throw error;
  }
}

function text(body: Record<string, unknown>, field: string, maxLength: number): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > maxLength)
    throw invalidArgument(`${field} must be a string of at most ${maxLength} characters`);
  return value;
}

/** `triggerConfig` is JSON text on FC's API (the SDK sends a string); an object is taken too. */
function config(type: string, value: unknown): string {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw invalidArgument('triggerConfig must be JSON text of an object');
    }
  }
  if (!isPlainObject(parsed)) throw invalidArgument('triggerConfig must be JSON text of an object');
  checked(() => validateTriggerConfig(type, parsed));
  if (type === 'http' && parsed['authType'] === 'jwt')
    throw new ApiError(400, 'NotSupported', 'triggerConfig.authType jwt is not emulated; use anonymous or function');
  return JSON.stringify(parsed);
}

function common(body: Record<string, unknown>, type: string): TriggerInput {
  const input: TriggerInput = {};
  if (body['triggerConfig'] !== undefined) input.triggerConfig = config(type, body['triggerConfig']);
  if (body['qualifier'] !== undefined) {
    checked(() => validateQualifier(body['qualifier']));
    input.qualifier = body['qualifier'] as string;
  }
  const description = text(body, 'description', TRIGGER_DESCRIPTION_MAX_LENGTH);
  if (description !== undefined) input.description = description;
  const role = text(body, 'invocationRole', 1024);
  if (role !== undefined) input.invocationRole = role;
  return input;
}

function onlyKnown(body: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(body))
    if (!known.includes(key))
      throw invalidArgument(`${key} is not a field of this request (known: ${known.join(', ')})`);
}

export function parseCreateTrigger(body: Record<string, unknown>): CreateTriggerInput {
  onlyKnown(body, CREATE_TRIGGER_FIELDS);
  checked(() => validateTriggerName(body['triggerName']));
  const type = body['triggerType'];
  if (typeof type !== 'string' || type === '') throw invalidArgument('triggerType is required (e.g. http, timer)');
  if (body['triggerConfig'] === undefined) throw invalidArgument('triggerConfig is required');
  const input = common(body, type);
  const sourceArn = text(body, 'sourceArn', 1024);
  return {
    ...input,
    triggerName: body['triggerName'] as string,
    triggerType: type,
    triggerConfig: input.triggerConfig as string,
    ...(sourceArn === undefined ? {} : { sourceArn }),
  };
}

/** UpdateTrigger's body, checked against the type of the trigger it changes. */
export function parseUpdateTrigger(body: Record<string, unknown>, type: string): TriggerInput {
  onlyKnown(body, UPDATE_TRIGGER_FIELDS);
  return common(body, type);
}
