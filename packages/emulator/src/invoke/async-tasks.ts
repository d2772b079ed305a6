import { ApiError } from '../errors.js';
import type { FunctionEntry } from '../functions/function-registry.js';
import { pageAfter } from '../paging.js';
import type { Instance } from '../instances/instance.js';
import type { InvocationResult } from './invoker.js';

export type TaskStatus = 'Enqueued' | 'Running' | 'Succeeded' | 'Failed' | 'Stopping' | 'Stopped';

const ENDED: ReadonlySet<TaskStatus> = new Set(['Succeeded', 'Failed', 'Stopped']);

/** Ended tasks kept per function (the oldest are forgotten first). */
export const ENDED_TASKS_KEPT = 1000;
/** `returnPayload` is cut to this many bytes, as FC does. */
const RETURN_PAYLOAD_MAX_BYTES = 1024 * 1024;

export interface TaskEvent {
  readonly eventId: number;
  readonly status: TaskStatus;
  readonly timestamp: number;
  readonly eventDetail: string;
}

/** One async invocation, watched and stopped by its id. Kept in memory only. */
export class AsyncTask {
  status: TaskStatus = 'Enqueued';
  startedMs: number | undefined;
  endMs: number | undefined;
  instanceId: string | undefined;
  returnPayload: string | undefined;
  errorMessage: string | undefined;
  readonly events: TaskEvent[] = [];
  private running: { instance: Instance; entry: FunctionEntry } | undefined;
  private stopRequested = false;

  constructor(
    readonly functionName: string,
    readonly taskId: string,
    readonly qualifier: string,
    readonly requestId: string,
    readonly payload: Buffer,
    readonly enqueuedMs: number,
  ) {
    this.event('Enqueued', 'the invocation is queued');
  }

  get ended(): boolean {
    return ENDED.has(this.status);
  }

  /** The background work starts; false when the task was stopped while it waited. */
  begin(): boolean {
    if (this.ended) return false;
    this.status = 'Running';
    this.startedMs = Date.now();
    this.event('Running', 'the invocation started');
    return true;
  }

  /** The invocation holds an instance: a stop asked for meanwhile takes effect now. */
  bind(instance: Instance, entry: FunctionEntry): void {
    this.running = { instance, entry };
    this.instanceId = instance.id;
    if (this.stopRequested) entry.pool.discard(instance);
  }

  finish(result: InvocationResult): void {
    this.running = undefined;
    if (this.stopRequested) {
      this.end('Stopped', 'stopped by StopAsyncTask');
      return;
    }
    this.returnPayload = result.body.subarray(0, RETURN_PAYLOAD_MAX_BYTES).toString('utf8');
    if (result.errorType) this.errorMessage = errorMessageOf(result);
    this.end(result.errorType ? 'Failed' : 'Succeeded', this.errorMessage ?? 'the function returned');
  }

  fail(error: unknown): void {
    this.running = undefined;
    if (!this.stopRequested) this.errorMessage = error instanceof Error ? error.message : String(error);
    this.end(this.stopRequested ? 'Stopped' : 'Failed', this.errorMessage ?? 'stopped by StopAsyncTask');
  }

  /** StopAsyncTask: a queued task never runs; a running one loses its instance (the process is killed). */
  stop(): void {
    if (this.ended) {
      throw new ApiError(
        400,
        'InvalidArgument',
        `async task "${this.taskId}" of function "${this.functionName}" has already ended (${this.status})`,
      );
    }
    this.stopRequested = true;
    if (this.status === 'Enqueued') {
      this.end('Stopped', 'stopped by StopAsyncTask before it ran');
      return;
    }
    this.status = 'Stopping';
    this.event('Stopping', 'StopAsyncTask: stopping the instance');
    if (this.running) this.running.entry.pool.discard(this.running.instance);
  }

  private end(status: TaskStatus, detail: string): void {
    this.status = status;
    this.endMs = Date.now();
    this.event(status, detail);
  }

  private event(status: TaskStatus, eventDetail: string): void {
    this.events.push({ eventId: this.events.length + 1, status, timestamp: Date.now(), eventDetail });
  }
}

function errorMessageOf(result: InvocationResult): string {
  try {
    const parsed = JSON.parse(result.body.toString('utf8')) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not a JSON error body: the error type says it
  }
  return result.errorType ?? 'UnhandledInvocationError';
}

export interface TaskQuery {
  readonly limit: number;
  readonly nextToken?: string | undefined;
  readonly prefix?: string | undefined;
  readonly qualifier?: string | undefined;
  readonly status?: string | undefined;
  readonly startedTimeBegin?: number | undefined;
  readonly startedTimeEnd?: number | undefined;
  readonly sortOrderByTime: 'asc' | 'desc';
}

/** The async tasks of every function, by function and task id. */
export class AsyncTasks {
  private readonly byFunction = new Map<string, Map<string, AsyncTask>>();

  /** A new task; 409 while a task with the same id has not ended (an ended one is replaced). */
  enqueue(functionName: string, taskId: string, qualifier: string, requestId: string, payload: Buffer): AsyncTask {
    const tasks = this.byFunction.get(functionName) ?? new Map<string, AsyncTask>();
    this.byFunction.set(functionName, tasks);
    const existing = tasks.get(taskId);
    if (existing && !existing.ended) {
      throw new ApiError(
        409,
        'AsyncTaskAlreadyExists',
        `async task "${taskId}" of function "${functionName}" is still ${existing.status}`,
      );
    }
    tasks.delete(taskId);
    const task = new AsyncTask(functionName, taskId, qualifier, requestId, payload, Date.now());
    tasks.set(taskId, task);
    this.forgetOldest(tasks);
    return task;
  }

  get(functionName: string, taskId: string, qualifier?: string): AsyncTask {
    const task = this.byFunction.get(functionName)?.get(taskId);
    if (!task || (qualifier && task.qualifier !== qualifier)) {
      throw new ApiError(
        404,
        'AsyncTaskNotFound',
        `async task "${taskId}" of function "${functionName}" does not exist`,
      );
    }
    return task;
  }

  list(functionName: string, query: TaskQuery): { tasks: AsyncTask[]; nextToken?: string } {
    const desc = query.sortOrderByTime === 'desc';
    const order = (task: AsyncTask) => {
      const time = String(task.enqueuedMs).padStart(15, '0');
      return desc
        ? `${String(999_999_999_999_999 - task.enqueuedMs).padStart(15, '0')}/${task.taskId}`
        : `${time}/${task.taskId}`;
    };
    const matching = [...(this.byFunction.get(functionName)?.values() ?? [])].filter(
      (task) =>
        (!query.prefix || task.taskId.startsWith(query.prefix)) &&
        (!query.qualifier || task.qualifier === query.qualifier) &&
        (!query.status || task.status === query.status) &&
        (query.startedTimeBegin === undefined || task.enqueuedMs >= query.startedTimeBegin) &&
        (query.startedTimeEnd === undefined || task.enqueuedMs <= query.startedTimeEnd),
    );
    matching.sort((a, b) => (order(a) < order(b) ? -1 : 1));
    const { page: tasks, ...next } = pageAfter(matching, order, query.limit, query.nextToken);
    return { tasks, ...next };
  }

  /** The function is gone, and its tasks with it. */
  onFunctionDeleted(functionName: string): void {
    this.byFunction.delete(functionName);
  }

  private forgetOldest(tasks: Map<string, AsyncTask>): void {
    let ended = 0;
    for (const task of tasks.values()) if (task.ended) ended++;
    for (const [id, task] of tasks) {
      if (ended <= ENDED_TASKS_KEPT) break;
      if (!task.ended) continue;
      tasks.delete(id);
      ended--;
    }
  }
}
