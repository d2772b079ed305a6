import { EXIT, invalidArgument } from '../core/errors.js';
import { readEvent } from '../core/event.js';
import { formatInvoke, formatTask } from '../core/format.js';
import { functionFailure, invokeFunction, parseHeaders } from '../core/invoke.js';
import { waitForTask } from '../core/tasks.js';
import { defineCommand } from './define.js';
import { taskExitCode } from './task.js';

export const invoke = defineCommand(
  {
    path: ['invoke'],
    summary: 'Invoke the function, into a session',
    output: 'text',
    description:
      'Invokes the function and prints its log, instance, request id and result like fc3. Without --session-id the call goes into a ' +
      'session prefetch recorded (the lowest slot still alive), else one the keeper on FC keeps (read from FC), unless --no-session. ' +
      'A function error exits with code 1.\n\n' +
      'Examples:\n  invoke -e \'{"key":"value"}\'\n  invoke -f event.json --session-id my-session\n  invoke --invocation-type Async --async-task-id job_1\n  invoke --invocation-type Async --async-task-id job_1 --wait',
    options: [
      'event',
      'eventFile',
      'sessionId',
      'useSession',
      'header',
      'invocationType',
      'asyncTaskId',
      'logType',
      'wait',
      'waitTimeoutSeconds',
      'silent',
    ],
  },
  async (input, { target, client, baseDir, stdinWhenPiped, format, signal, progress }) => {
    if (input.asyncTaskId !== undefined && input.invocationType !== 'Async') {
      throw invalidArgument('--async-task-id', input.asyncTaskId, 'only applies with --invocation-type Async');
    }
    if ((input.wait || input.waitTimeoutSeconds !== undefined) && input.invocationType !== 'Async') {
      throw invalidArgument(
        input.wait ? '--wait' : '--wait-timeout',
        true,
        'only applies with --invocation-type Async',
      );
    }
    if (input.sessionId !== undefined && !input.useSession) {
      throw invalidArgument('--no-session', true, 'cannot be given together with --session-id');
    }
    const headers = parseHeaders(input.header ?? [], '--header');
    const body = await readEvent({ event: input.event, eventFile: input.eventFile, baseDir, stdinWhenPiped });
    const report = await invokeFunction(await client(), {
      functionName: target.functionName,
      qualifier: target.qualifier,
      body,
      sessionId: input.sessionId,
      useManifest: input.useSession,
      manifest: target.manifest,
      headers,
      invocationType: input.invocationType,
      asyncTaskId: input.asyncTaskId,
      logType: input.logType,
      signal,
    });
    if (input.wait && report.asyncTaskId !== undefined) {
      const task = await waitForTask(await client(), target.functionName, report.asyncTaskId, {
        ...(target.qualifier === 'LATEST' ? {} : { qualifier: target.qualifier }),
        ...(input.waitTimeoutSeconds === undefined ? {} : { timeoutMs: input.waitTimeoutSeconds * 1000 }),
        signal,
        onStatus: (seen) => progress?.(`task ${seen.taskId}: ${seen.status}`),
      });
      return {
        data: { ...report, task },
        functionError: functionFailure(report),
        text: input.silent
          ? `${task.returnPayload ?? ''}\n`
          : `${formatInvoke(report, format)}\n${formatTask(task, format)}`,
        exitCode: taskExitCode(task),
      };
    }
    return {
      data: report,
      text: input.silent ? `${report.result}\n` : formatInvoke(report, format),
      exitCode: report.errorType ? EXIT.functionError : EXIT.ok,
      functionError: functionFailure(report),
    };
  },
);
