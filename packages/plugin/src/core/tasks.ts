import type { AsyncTask, FcClient } from '@fc-sessions/client';
import { PluginError } from './errors.js';

/** Statuses after which a task never changes again. */
export const FINAL_TASK_STATUSES: readonly string[] = ['Succeeded', 'Failed', 'Stopped', 'Expired', 'Invalid'];

export interface WaitOptions {
  qualifier?: string | undefined;
  /** Between two reads; default 500 ms. */
  intervalMs?: number | undefined;
  /** Give up (exit code 4) after this long; default: wait as long as it takes. */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Told each status the first time it is seen. */
  onStatus?: ((task: AsyncTask) => void) | undefined;
}

const sleep = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/** Reads the task until it reaches a final status (`FINAL_TASK_STATUSES`) and answers it. */
export async function waitForTask(
  client: Pick<FcClient, 'getAsyncTask'>,
  functionName: string,
  taskId: string,
  options: WaitOptions = {},
): Promise<AsyncTask> {
  const deadline = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
  let seen: string | undefined;
  for (;;) {
    const task = await client.getAsyncTask(functionName, taskId, {
      ...(options.qualifier ? { qualifier: options.qualifier } : {}),
      signal: options.signal,
    });
    if (task.status !== seen) {
      seen = task.status;
      options.onStatus?.(task);
    }
    if (task.status !== undefined && FINAL_TASK_STATUSES.includes(task.status)) return task;
    if (Date.now() >= deadline) {
      throw new PluginError({
        code: 'TaskWaitTimeout',
        message: `async task ${taskId} was still ${task.status ?? 'unknown'} after ${options.timeoutMs} ms`,
        exitCode: 4,
      });
    }
    await sleep(options.intervalMs ?? 500, options.signal);
  }
}
