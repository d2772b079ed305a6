import { ASYNC_EVENT_AGE, ASYNC_RETRY_ATTEMPTS, ASYNC_TASK_STATUSES, LIST_LIMIT } from './limits.js';
import type { ListAsyncTasksInput, PutAsyncInvokeConfigInput } from './types.js';
import { booleanOrUndefined, integerIn, invalid, oneOf, validateAsyncTaskId, validateQualifier } from './validate.js';

/** Checks a PutAsyncInvokeConfig body against FC's ranges. */
export function validateAsyncInvokeConfig(input: PutAsyncInvokeConfigInput): void {
  if (typeof input !== 'object' || input === null) throw invalid('input', input, 'must be an object');
  booleanOrUndefined('asyncTask', input.asyncTask);
  integerIn('maxAsyncRetryAttempts', input.maxAsyncRetryAttempts, ASYNC_RETRY_ATTEMPTS.min, ASYNC_RETRY_ATTEMPTS.max);
  integerIn('maxAsyncEventAgeInSeconds', input.maxAsyncEventAgeInSeconds, ASYNC_EVENT_AGE.min, ASYNC_EVENT_AGE.max);
  const config = input.destinationConfig;
  if (config === undefined) return;
  if (typeof config !== 'object' || config === null) throw invalid('destinationConfig', config, 'must be an object');
  for (const key of ['onSuccess', 'onFailure'] as const) {
    const destination = config[key]?.destination;
    if (destination !== undefined && (typeof destination !== 'string' || !destination.startsWith('acs:')))
      throw invalid(`destinationConfig.${key}.destination`, destination, 'must be an ARN starting with "acs:"');
  }
}

/** Checks ListAsyncTasks' filters. */
export function validateAsyncTaskFilters(input: ListAsyncTasksInput): void {
  integerIn('limit', input.limit, LIST_LIMIT.min, LIST_LIMIT.max);
  validateQualifier(input.qualifier);
  oneOf('status', input.status, ASYNC_TASK_STATUSES);
  oneOf('sortOrderByTime', input.sortOrderByTime, ['asc', 'desc']);
  integerIn('startedTimeBegin', input.startedTimeBegin, 0, Number.MAX_SAFE_INTEGER);
  integerIn('startedTimeEnd', input.startedTimeEnd, 0, Number.MAX_SAFE_INTEGER);
  booleanOrUndefined('includePayload', input.includePayload);
  if (input.prefix !== undefined && input.prefix !== '') validateAsyncTaskId(input.prefix, 'prefix');
}
