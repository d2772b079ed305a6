import type { Session } from '@fc-sessions/client';
import { EXIT } from '../core/errors.js';
import { formatObject, formatSessions } from '../core/format.js';
import { SESSION_SETTING_KEYS } from '../core/prefetch-options.js';
import { deleteRecordedSession, listRecordedSessions } from '../core/sessions.js';
import { defineCommand, type RunOutcome } from './define.js';

const SESSION = { sessionId: 'the session to work on' } as const;

function sessionOutcome(session: Session | undefined): RunOutcome {
  return { data: session ?? {}, text: session ? formatObject(session) : 'done\n', exitCode: EXIT.ok };
}

export const sessionCreate = defineCommand(
  {
    path: ['session', 'create'],
    summary: 'Create a session',
    description:
      'Creates a session: FC starts an instance, runs its initializer and binds the session to it.\n\nExample:\n  session create --session-ttl-in-seconds 600',
    options: ['sessionId', ...SESSION_SETTING_KEYS],
    docs: { sessionId: 'client-chosen id (default: a new 32-hex id)' },
  },
  async (input, { target, client, signal }) => {
    const { sessionId, ...settings } = input;
    const body = Object.fromEntries(SESSION_SETTING_KEYS.map((key) => [key, settings[key]]));
    return sessionOutcome(
      await (await client()).createSession(
        target.functionName,
        { ...body, ...(sessionId ? { sessionId } : {}) },
        { qualifier: target.qualifier, signal },
      ),
    );
  },
);

export const sessionGet = defineCommand(
  {
    path: ['session', 'get'],
    summary: 'Show a session',
    description: 'Shows an Active session.\n\nExample:\n  session get --session-id my-session',
    options: ['sessionId'],
    required: SESSION,
  },
  async (input, { target, client, signal }) =>
    sessionOutcome(
      await (await client()).getSession(target.functionName, input.sessionId, { qualifier: target.qualifier, signal }),
    ),
);

export const sessionUpdate = defineCommand(
  {
    path: ['session', 'update'],
    summary: 'Change a session',
    description: 'Changes TTL, idle timeout, id reuse or mounts of a session.',
    options: ['sessionId', ...SESSION_SETTING_KEYS],
    required: SESSION,
  },
  async (input, { target, client, signal }) => {
    const body = Object.fromEntries(SESSION_SETTING_KEYS.map((key) => [key, input[key]]));
    return sessionOutcome(
      await (await client()).updateSession(target.functionName, input.sessionId, body, {
        qualifier: target.qualifier,
        signal,
      }),
    );
  },
);

export const sessionList = defineCommand(
  {
    path: ['session', 'list'],
    summary: 'List sessions',
    description:
      'Lists the sessions of the function (one page, or every page with --all); sessions prefetch made are marked.',
    options: ['limit', 'nextToken', 'sessionStatus', 'sessionId', 'all', 'prefetched'],
    docs: { sessionId: 'only this session' },
  },
  async (input, { target, client, signal }) => {
    const listed = await listRecordedSessions(
      await client(),
      target,
      {
        limit: input.limit,
        nextToken: input.nextToken,
        sessionId: input.sessionId,
        sessionStatus: input.sessionStatus,
        all: input.all,
        prefetchedOnly: input.prefetched,
      },
      signal,
    );
    const recorded = new Set(listed.sessions.filter((s) => s.prefetched).map((s) => s.sessionId));
    return {
      data: listed,
      text: `${formatSessions(listed.sessions, recorded)}${listed.nextToken ? `next page: --next-token ${listed.nextToken}\n` : ''}`,
      exitCode: EXIT.ok,
    };
  },
);

export const sessionDelete = defineCommand(
  {
    path: ['session', 'delete'],
    alias: 'remove',
    summary: 'Delete a session',
    description: 'Deletes a session (also removes it from the manifest).',
    options: ['sessionId', 'assumeYes'],
    required: SESSION,
  },
  async (input, { target, client, signal, warning }) => {
    await deleteRecordedSession(await client(), target, input.sessionId, {
      waitSeconds: input.callTimeoutSeconds,
      signal,
      ...(warning ? { onWarning: warning } : {}),
    });
    return {
      data: { sessionId: input.sessionId, deleted: true },
      text: `deleted ${input.sessionId}\n`,
      exitCode: EXIT.ok,
    };
  },
);

export const sessionPause = defineCommand(
  {
    path: ['session', 'pause'],
    summary: 'Pause a session',
    description: 'Pauses a session.',
    options: ['sessionId'],
    required: SESSION,
  },
  async (input, { target, client, signal }) =>
    sessionOutcome(
      await (await client()).pauseSession(target.functionName, input.sessionId, {
        qualifier: target.qualifier,
        signal,
      }),
    ),
);

export const sessionResume = defineCommand(
  {
    path: ['session', 'resume'],
    summary: 'Resume a paused session',
    description: 'Resumes a paused session.',
    options: ['sessionId', 'fileSystemOnly'],
    required: SESSION,
  },
  async (input, { target, client, signal }) =>
    sessionOutcome(
      await (await client()).resumeSession(target.functionName, input.sessionId, {
        qualifier: target.qualifier,
        signal,
        fileSystemOnly: input.fileSystemOnly === true,
      }),
    ),
);
