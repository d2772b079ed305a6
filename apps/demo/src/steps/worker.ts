import { randomBytes } from 'node:crypto';
import { EVENT_WORKER } from '../apps.js';
import type { FlowContext } from '../context.js';

/** What apps/event-worker answers. */
export interface JobResult {
  readonly sum: number;
  readonly count: number;
  readonly requestId: string | null;
  readonly instanceId: string | null;
  readonly asyncTaskId: string | null;
  readonly asyncTaskIdFrom: 'runtime' | 'event' | null;
}

export interface WorkerOutcome {
  readonly sync: { readonly requestId: string | undefined; readonly result: JobResult; readonly logs: string };
  readonly failure: { readonly errorType: string | undefined; readonly errorMessage: string | undefined };
  readonly async: {
    readonly status: number;
    readonly requestId: string | undefined;
    readonly taskId: string;
    readonly echoedTaskId: string | undefined;
    /** The worker's log line for the task, once it ran. */
    readonly logLine: string | undefined;
  };
}

/** How long an async task may take to show up in the worker's log. */
const ASYNC_WAIT_MS = 15_000;

/** Sync with logs (Tail), a failing event, and an async task seen through the worker's log. */
export async function workerStep(ctx: FlowContext): Promise<WorkerOutcome> {
  const { client, checks, logbook, signal } = ctx;
  const fn = EVENT_WORKER.functionName;
  checks.step('event-worker', 'built-in nodejs20, sync and async invocations');

  const sync = await client.invoke(fn, { body: JSON.stringify({ numbers: [1, 2, 3, 4, 5] }), logType: 'Tail', signal });
  const result = sync.json<JobResult>();
  checks.expect(
    `sync: sum 15; the function read its request id ${sync.requestId}`,
    result.sum === 15 && result.requestId === sync.requestId && result.instanceId === sync.instanceId,
    () => `FC request ${sync.requestId} on ${sync.instanceId}, function said ${JSON.stringify(result)}`,
  );
  const logs = sync.logs ?? '';
  const logLines = logs.split('\n').filter((line) => line.includes(sync.requestId ?? '-'));
  checks.expect(
    `logs returned with Tail: ${logLines.length} lines of request ${sync.requestId}`,
    logs.includes(`FC Invoke Start RequestId: ${sync.requestId}`) && logs.includes(`${sync.requestId} [INFO] job sync`),
    () => `x-fc-log-result was ${JSON.stringify(logs)}`,
  );
  for (const line of logLines) checks.note(`  | ${line}`);

  const bad = await client.invoke(fn, { body: '{"numbers":"many"}', signal });
  const error = bad.errorType ? bad.json<{ errorMessage?: string }>() : {};
  checks.expect(
    `bad event: ${bad.errorType ?? 'no error'}: ${error.errorMessage ?? ''}`,
    bad.errorType !== undefined && (error.errorMessage ?? '').includes('event.numbers'),
    () => `answer ${bad.text()}`,
  );

  const taskId = `demo_${randomBytes(6).toString('hex')}`;
  const accepted = await client.invoke(fn, {
    invocationType: 'Async',
    asyncTaskId: taskId,
    body: JSON.stringify({ numbers: [10, 20, 30], taskId }),
    signal,
  });
  checks.expect(
    `async: 202 Accepted, task ${taskId}`,
    accepted.status === 202 && accepted.asyncTaskId === taskId,
    () => `status ${accepted.status}, task id ${accepted.asyncTaskId}`,
  );
  const line = await logbook
    .waitFor((entry) => entry.functionName === fn && entry.line.includes(`job ${taskId}:`), ASYNC_WAIT_MS, signal)
    .catch(() => undefined);
  checks.expect(
    `the worker ran it as request ${accepted.requestId}: ${line ? /sum \d+ \(task id from \w+/.exec(line.line)?.[0].replace(' (', ', ') : 'not seen'}`,
    line?.line.includes(` ${accepted.requestId} `) === true && line.line.includes('sum 60'),
    () => (line ? `log line ${line.line}` : `no log line within ${ASYNC_WAIT_MS} ms`),
  );
  return {
    sync: { requestId: sync.requestId, result, logs },
    failure: { errorType: bad.errorType, errorMessage: error.errorMessage },
    async: {
      status: accepted.status,
      requestId: accepted.requestId,
      taskId,
      echoedTaskId: accepted.asyncTaskId,
      logLine: line?.line,
    },
  };
}
