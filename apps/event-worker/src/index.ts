import { currentInvocation, logger } from '@fc-sessions/runtime';
import { wrapHandler, wrapInitializer } from '@fc-sessions/runtime/event';

/** Most numbers one job may carry. */
const MAX_NUMBERS = 10_000;
/** Longest a job may pretend to work (`workMs`). */
const MAX_WORK_MS = 120_000;

interface Job {
  readonly numbers: readonly number[];
  /** The caller's copy of the async task id, for runtimes that do not hand it to the function. */
  readonly taskId?: string;
  /** How long the job works before it answers: a long job to watch and stop by its task id. */
  readonly workMs?: number;
}

export interface JobResult {
  readonly sum: number;
  readonly count: number;
  readonly requestId: string | null;
  readonly instanceId: string | null;
  readonly asyncTaskId: string | null;
  /** Where `asyncTaskId` came from: the invocation (`runtime`), the event (`event`), or nowhere. */
  readonly asyncTaskIdFrom: 'runtime' | 'event' | null;
}

/** Parses `{"numbers": [..], "taskId"?: ".."}`; a bad event throws an error that names the field. */
function parseJob(event: Buffer | string): Job {
  let value: unknown;
  try {
    value = JSON.parse(event.toString());
  } catch {
    throw new TypeError('event must be JSON like {"numbers": [1, 2, 3]}');
  }
  const numbers = (value as { numbers?: unknown } | null)?.numbers;
  if (!Array.isArray(numbers) || numbers.length > MAX_NUMBERS || !numbers.every(Number.isFinite)) {
    throw new TypeError(`event.numbers must be an array of at most ${MAX_NUMBERS} finite numbers`);
  }
  const { taskId, workMs } = value as { taskId?: unknown; workMs?: unknown };
  if (
    workMs !== undefined &&
    (!Number.isInteger(workMs) || (workMs as number) < 0 || (workMs as number) > MAX_WORK_MS)
  ) {
    throw new TypeError(`event.workMs must be an integer from 0 to ${MAX_WORK_MS}`);
  }
  return {
    numbers,
    ...(typeof taskId === 'string' ? { taskId } : {}),
    ...(typeof workMs === 'number' ? { workMs } : {}),
  };
}

let warmedAt: string | undefined;

export const initializer = wrapInitializer(async () => {
  warmedAt = new Date().toISOString();
  logger.info('worker instance ready');
});

export const handler = wrapHandler(async (event: Buffer | string): Promise<JobResult> => {
  const job = parseJob(event);
  const invocation = currentInvocation();
  const fromRuntime = invocation?.asyncTaskId;
  const asyncTaskId = fromRuntime ?? job.taskId ?? null;
  if (job.workMs) await new Promise((resolve) => setTimeout(resolve, job.workMs));
  const sum = job.numbers.reduce((total, n) => total + n, 0);
  const from = fromRuntime ? 'runtime' : job.taskId ? 'event' : null;
  logger.info(
    'job %s: %d numbers, sum %d (%s; instance warmed at %s)',
    asyncTaskId ?? 'sync',
    job.numbers.length,
    sum,
    from ? `task id from ${from}` : 'no task id',
    warmedAt ?? 'never',
  );
  return {
    sum,
    count: job.numbers.length,
    requestId: invocation?.requestId ?? null,
    instanceId: invocation?.instanceId ?? null,
    asyncTaskId,
    asyncTaskIdFrom: from,
  };
});
