import type { AsyncTask } from '@fc-sessions/client';
import { EXIT } from '../core/errors.js';
import { formatTask, formatTasks } from '../core/format.js';
import { defineCommand } from './define.js';

const TASK = { taskId: 'the async task to work on' } as const;

/** The exit code a task stands for: 0 Succeeded, 1 Failed (the function failed), 3 stopped or dropped by FC, 0 still going. */
export function taskExitCode(task: AsyncTask): number {
  if (task.status === 'Failed') return EXIT.functionError;
  if (task.status === 'Stopped' || task.status === 'Expired' || task.status === 'Invalid') return EXIT.service;
  return EXIT.ok;
}

export const taskGet = defineCommand(
  {
    path: ['task', 'get'],
    summary: 'Show an async task',
    description:
      'Shows an async task: status, times, instance, and what it returned or its error.\n\nExample:\n  task get --task-id job_1',
    options: ['taskId'],
    required: TASK,
  },
  async (input, { target, client, signal, format }) => {
    const task = await (await client()).getAsyncTask(target.functionName, input.taskId, {
      qualifier: target.qualifier === 'LATEST' ? undefined : target.qualifier,
      signal,
    });
    return { data: task, text: formatTask(task, format), exitCode: EXIT.ok };
  },
);

export const taskList = defineCommand(
  {
    path: ['task', 'list'],
    summary: 'List async tasks',
    description:
      'Lists the async tasks of the function, newest first (one page, or every page with --all).\n\n' +
      'Example:\n  task list --status Running',
    options: ['taskStatus', 'taskPrefix', 'limit', 'nextToken', 'all'],
  },
  async (input, { target, client, signal }) => {
    const fc = await client();
    const filters = {
      ...(target.qualifier === 'LATEST' ? {} : { qualifier: target.qualifier }),
      ...(input.taskStatus ? { status: input.taskStatus } : {}),
      ...(input.taskPrefix ? { prefix: input.taskPrefix } : {}),
      ...(input.limit ? { limit: input.limit } : {}),
      sortOrderByTime: 'desc' as const,
    };
    let tasks: AsyncTask[];
    let nextToken: string | undefined;
    if (input.all) {
      tasks = [];
      for await (const task of fc.iterateAsyncTasks(target.functionName, filters, { signal })) tasks.push(task);
    } else {
      const page = await fc.listAsyncTasks(target.functionName, { ...filters, nextToken: input.nextToken }, { signal });
      tasks = page.tasks;
      nextToken = page.nextToken;
    }
    return {
      data: { tasks, ...(nextToken ? { nextToken } : {}) },
      text: `${formatTasks(tasks)}${nextToken ? `next page: --next-token ${nextToken}\n` : ''}`,
      exitCode: EXIT.ok,
    };
  },
);

export const taskStop = defineCommand(
  {
    path: ['task', 'stop'],
    summary: 'Stop an async task',
    description: 'Stops a queued or running async task.\n\nExample:\n  task stop --task-id job_1',
    options: ['taskId'],
    required: TASK,
  },
  async (input, { target, client, signal }) => {
    await (await client()).stopAsyncTask(target.functionName, input.taskId, {
      qualifier: target.qualifier === 'LATEST' ? undefined : target.qualifier,
      signal,
    });
    return { data: { taskId: input.taskId, stopped: true }, text: `stopped ${input.taskId}\n`, exitCode: EXIT.ok };
  },
);
