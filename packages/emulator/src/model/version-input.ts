import {
  ALIAS_NAME,
  ASYNC_EVENT_AGE,
  ASYNC_RETRY_ATTEMPTS,
  DESCRIPTION_MAX_LENGTH,
  VERSION_ID,
  VERSION_WEIGHT,
} from '@fc-sessions/client/limits';
import { invalidArgument } from '../errors.js';
import { boolean, type Check, integer, isPlainObject, number, object, parseFields, string } from './validate.js';

export const versionId = string({ pattern: VERSION_ID.pattern, patternText: 'a published version number such as "1"' });

export const aliasName: Check<string> = (value, field) => {
  const name = string({
    pattern: ALIAS_NAME.pattern,
    patternText: '1-128 characters of letters, digits, "_" and "-", starting with a letter or "_"',
  })(value, field);
  if (name === 'LATEST') throw invalidArgument(`${field} must not be LATEST`);
  return name;
};

const description = string({ maxLength: DESCRIPTION_MAX_LENGTH });

const weights: Check<Record<string, number>> = (value, field) => {
  if (!isPlainObject(value)) throw invalidArgument(`${field} must be an object of version id -> weight`);
  const out: Record<string, number> = {};
  let total = 0;
  for (const [key, weight] of Object.entries(value)) {
    versionId(key, `${field} key`);
    out[key] = number(VERSION_WEIGHT.min, VERSION_WEIGHT.max)(weight, `${field}.${key}`);
    total += out[key];
  }
  if (total > VERSION_WEIGHT.max)
    throw invalidArgument(`${field} weights must add up to at most ${VERSION_WEIGHT.max}`);
  return out;
};

const publishShape = { description };
const aliasUpdateShape = { versionId, description, additionalVersionWeight: weights };
const aliasCreateShape = { ...aliasUpdateShape, aliasName };

export const parsePublishVersion = (input: Record<string, unknown>) => parseFields(publishShape, input);
export const parseUpdateAlias = (input: Record<string, unknown>) => parseFields(aliasUpdateShape, input);

export function parseCreateAlias(input: Record<string, unknown>) {
  const parsed = parseFields(aliasCreateShape, input);
  if (parsed.aliasName === undefined) throw invalidArgument('aliasName is required');
  if (parsed.versionId === undefined) throw invalidArgument('versionId is required');
  return { ...parsed, aliasName: parsed.aliasName, versionId: parsed.versionId };
}

const destination = object({
  destination: string({ pattern: /^acs:/, patternText: 'an ARN starting with "acs:"', maxLength: 1024 }),
});

const asyncConfigShape = {
  asyncTask: boolean,
  maxAsyncRetryAttempts: integer(ASYNC_RETRY_ATTEMPTS.min, ASYNC_RETRY_ATTEMPTS.max),
  maxAsyncEventAgeInSeconds: integer(ASYNC_EVENT_AGE.min, ASYNC_EVENT_AGE.max),
  destinationConfig: object({ onSuccess: destination, onFailure: destination }),
};

export const parseAsyncInvokeConfig = (input: Record<string, unknown>) => parseFields(asyncConfigShape, input);
