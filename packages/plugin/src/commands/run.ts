import { resolve } from 'node:path';
import {
  type CreateSessionInput,
  resolveRegion,
  type FcClient,
  type Session,
  type UpdateSessionInput,
  validateFunctionName,
  validateSessionId,
} from '@fc-sessions/client';
import { type ConnectOptions, createClient, explicitEndpoint } from '../core/connect.js';
import { EXIT, exitCodeOf, invalidArgument, missingArgument, summarizeError } from '../core/errors.js';
import { readEvent } from '../core/event.js';
import {
  type FormatOptions,
  formatError,
  formatInvoke,
  formatObject,
  formatPrefetch,
  formatPrefetchEvent,
  formatPrune,
  formatSessions,
} from '../core/format.js';
import { invokeFunction, parseHeaders } from '../core/invoke.js';
import { defaultManifestDir, ManifestStore, manifestFolder, recordedRegions } from '../core/manifest.js';
import { withDeadline } from '../core/deadline.js';
import { lockManifest } from '../core/lock.js';
import { emitLockWarning, type ManifestLocation, PrefetchError, prefetchSessions } from '../core/prefetch.js';
import { PREFETCH_KEYS, readPrefetchSettings, SESSION_SETTING_KEYS } from '../core/prefetch-options.js';
import { pruneSessions } from '../core/prune.js';
import type { Parsed } from './args.js';
import type { CommandSpec, FrontDoor } from './specs.js';

/** What the host knows before the flags are read (props, credentials, where the project is). */
export interface RunContext {
  door: FrontDoor;
  connect: ConnectOptions;
  /** The function from the host's configuration (e.g. `props.functionName`). */
  functionName?: string | undefined;
  /** Relative paths (manifest dir, event files) are resolved here. */
  baseDir: string;
  /** The host's manifest folder (e.g. `props.manifestDir`); `--manifest-dir` wins, `$FCS_MANIFEST_DIR` is the fallback. */
  manifestDir?: string | undefined;
  /** Read the event from piped standard input when neither -e nor -f is given. */
  stdinWhenPiped?: boolean | undefined;
  format?: FormatOptions | undefined;
  /** Receives progress lines of long work (prefetch, prune). */
  progress?: ((line: string) => void) | undefined;
  /** Receives warnings (a stale manifest lock taken over). */
  warning?: ((line: string) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** Called once the arguments are checked, before the first call: e.g. asks `s` for credentials. */
  resolveConnect?: ((connect: ConnectOptions) => Promise<Partial<ConnectOptions>>) | undefined;
}

/** A command's answer: `data` for JSON and return values, `text` for people (stdout), `errorText` (stderr), the exit code. */
export interface RunOutcome {
  data: unknown;
  text: string;
  errorText?: string | undefined;
  exitCode: number;
}

type Values = Record<string, unknown>;

const str = (values: Values, key: string) => values[key] as string | undefined;

function flagNames(spec: CommandSpec): (key: string) => string {
  const names = new Map(spec.flags.map((flag) => [flag.key, `--${flag.name}`]));
  return (key) => names.get(key) ?? key;
}

function required(values: Values, key: string, flag: string, what: string): string {
  const value = str(values, key);
  if (value === undefined || value === '') throw missingArgument(flag, what);
  return value;
}

function sessionSettings(values: Values): UpdateSessionInput {
  return pick(values, SESSION_SETTING_KEYS) as UpdateSessionInput;
}

interface Target {
  functionName: string;
  qualifier: string | undefined;
  manifest: ManifestLocation;
  connect: ConnectOptions;
}

async function target(spec: CommandSpec, parsed: Parsed, ctx: RunContext): Promise<Target> {
  const { values, positionals } = parsed;
  const functionName = str(values, 'functionName') ?? positionals[0] ?? ctx.functionName;
  if (functionName === undefined || functionName === '') {
    const where =
      ctx.door === 'devs' ? 'props.functionName or --function-name' : 'the first argument or --function-name';
    throw missingArgument('--function-name', `the function ${spec.path.join(' ')} works on (${where})`);
  }
  validateFunctionName(
    functionName,
    str(values, 'functionName') !== undefined || ctx.door === 'devs' ? '--function-name' : 'function',
  );
  const connect: ConnectOptions = { ...ctx.connect };
  for (const key of ['endpoint', 'region', 'accountId', 'access', 'timeoutSeconds', 'maxAttempts'] as const) {
    if (values[key] !== undefined) (connect as Record<string, unknown>)[key] = values[key];
  }
  const manifestDir = resolve(
    ctx.baseDir,
    str(values, 'manifestDir') ?? ctx.manifestDir ?? defaultManifestDir(connect.env ?? process.env),
  );
  const endpoint = explicitEndpoint(connect);
  const qualifier = str(values, 'qualifier');
  let region = connect.region || (await resolveRegion({ env: connect.env, home: connect.home }));
  if (!region) {
    const recorded = await recordedRegions(manifestFolder(manifestDir, endpoint), functionName, qualifier ?? 'LATEST');
    region = recorded.length === 1 ? recorded[0] : 'default';
  }
  return { functionName, qualifier, connect, manifest: { manifestDir, region: region as string, endpoint } };
}

/** Runs one command (flags already parsed) against FC; errors are thrown (see `failureOutcome`). */
export async function runCommand(spec: CommandSpec, parsed: Parsed, ctx: RunContext): Promise<RunOutcome> {
  const { values } = parsed;
  const t = await target(spec, parsed, ctx);
  const command =
    spec.path[0] === 'session' && (spec.path[1] === 'prefetch' || spec.path[1] === 'prune')
      ? spec.path[1]
      : spec.path.join(' ');
  const sessionId = str(values, 'sessionId');
  if (typeof values['sessionId'] === 'string') validateSessionId(sessionId, '--session-id');
  const needsSession = ['session get', 'session update', 'session delete', 'session pause', 'session resume'];
  if (needsSession.includes(command)) required(values, 'sessionId', '--session-id', 'the session to work on');
  if (command === 'invoke' && values['asyncTaskId'] !== undefined && values['invocationType'] !== 'Async') {
    throw invalidArgument('--async-task-id', values['asyncTaskId'], 'only applies with --invocation-type Async');
  }
  if (command === 'invoke' && sessionId !== undefined && values['useSession'] === false) {
    throw invalidArgument('--no-session', true, 'cannot be given together with --session-id');
  }
  const headers =
    command === 'invoke' ? parseHeaders((values['header'] as string[] | undefined) ?? [], '--header') : undefined;
  const prefetch =
    command === 'prefetch'
      ? readPrefetchSettings({ ...pick(values, PREFETCH_FLAGS), functionName: t.functionName }, flagNames(spec), false)
      : undefined;
  const event =
    command === 'invoke'
      ? await readEvent({
          event: str(values, 'event'),
          eventFile: str(values, 'eventFile'),
          baseDir: ctx.baseDir,
          stdinWhenPiped: ctx.stdinWhenPiped,
        })
      : undefined;

  const client = createClient({ ...t.connect, ...(await ctx.resolveConnect?.(t.connect)) });
  try {
    const options = { qualifier: t.qualifier, signal: ctx.signal };
    const format = ctx.format ?? {};
    switch (command) {
      case 'invoke': {
        const report = await invokeFunction(client, {
          functionName: t.functionName,
          qualifier: t.qualifier,
          body: event,
          sessionId,
          useManifest: values['useSession'] !== false,
          manifest: t.manifest,
          headers,
          invocationType: values['invocationType'] as 'Sync' | 'Async' | undefined,
          asyncTaskId: str(values, 'asyncTaskId'),
          logType: values['logType'] as 'None' | 'Tail' | undefined,
          signal: ctx.signal,
        });
        return {
          data: report,
          text: values['silent'] ? `${report.result}\n` : formatInvoke(report, format),
          exitCode: report.errorType ? EXIT.functionError : EXIT.ok,
        };
      }
      case 'session create': {
        const input: CreateSessionInput = { ...sessionSettings(values), ...(sessionId ? { sessionId } : {}) };
        return sessionOutcome(await client.createSession(t.functionName, input, options));
      }
      case 'session get':
        return sessionOutcome(await client.getSession(t.functionName, sessionId as string, options));
      case 'session update':
        return sessionOutcome(
          await client.updateSession(t.functionName, sessionId as string, sessionSettings(values), options),
        );
      case 'session pause':
        return sessionOutcome(await client.pauseSession(t.functionName, sessionId as string, options));
      case 'session resume':
        return sessionOutcome(
          await client.resumeSession(t.functionName, sessionId as string, {
            ...options,
            fileSystemOnly: values['fileSystemOnly'] === true,
          }),
        );
      case 'session delete': {
        const store = new ManifestStore(t.manifest.manifestDir, {
          ...t.manifest,
          functionName: t.functionName,
          qualifier: t.qualifier ?? 'LATEST',
        });
        // The manifest's lock first: a running prefetch or prune must not write the record back,
        // and a delete that cannot get the lock changes nothing.
        const waitSeconds = (values['timeoutSeconds'] as number | undefined) ?? DELETE_LOCK_WAIT_SECONDS;
        const wait = withDeadline(waitSeconds * 1000, ctx.signal);
        try {
          const lock = await lockManifest(store.path, {
            timeoutSeconds: waitSeconds,
            signal: wait.signal,
            onWarning: emitLockWarning,
            existingFolderOnly: true,
          });
          try {
            await client.deleteSession(t.functionName, sessionId as string, options);
            await store.load();
            if (store.sessions.some((s) => s.sessionId === sessionId)) await store.remove(sessionId as string);
          } finally {
            await store.close();
            await lock.release();
          }
        } finally {
          wait.clear();
        }
        return { data: { sessionId, deleted: true }, text: `deleted ${sessionId}\n`, exitCode: EXIT.ok };
      }
      case 'session list':
        return await listSessions(client, t, values);
      case 'prefetch': {
        const result = await prefetchSessions(client, {
          ...(prefetch as NonNullable<typeof prefetch>),
          ...t.manifest,
          settleSeconds: values['settleSeconds'] as number | undefined,
          signal: ctx.signal,
          onProgress: ctx.progress && ((e) => ctx.progress?.(formatPrefetchEvent(e))),
          onWarning: ctx.warning,
        });
        return { data: result, text: formatPrefetch(result, format), exitCode: EXIT.ok };
      }
      case 'prune': {
        const result = await pruneSessions(client, {
          functionName: t.functionName,
          qualifier: t.qualifier,
          sessionIds: values['sessionId'] as string[] | undefined,
          concurrency: values['concurrency'] as number | undefined,
          settleSeconds: values['settleSeconds'] as number | undefined,
          ...t.manifest,
          signal: ctx.signal,
          onProgress: ctx.progress && ((e) => ctx.progress?.(`[${e.done}/${e.total}] ${e.type} ${e.sessionId}`)),
          onWarning: ctx.warning,
        });
        return {
          data: result,
          text: formatPrune(result, format),
          exitCode: result.complete ? EXIT.ok : EXIT.incomplete,
        };
      }
      default:
        throw invalidArgument('command', spec.path.join(' '), 'is not a command');
    }
  } finally {
    client.close();
  }
}

/** How long `session delete` waits for a running prefetch or prune to release the manifest, without `--timeout`. */
const DELETE_LOCK_WAIT_SECONDS = 60;

const PREFETCH_FLAGS = PREFETCH_KEYS.filter((key) => key !== 'functionName');

function pick(values: Values, keys: readonly string[]): Values {
  return Object.fromEntries(keys.filter((key) => values[key] !== undefined).map((key) => [key, values[key]]));
}

function sessionOutcome(session: Session | undefined): RunOutcome {
  return { data: session ?? {}, text: session ? formatObject(session) : 'done\n', exitCode: EXIT.ok };
}

async function listSessions(client: FcClient, t: Target, values: Values): Promise<RunOutcome> {
  const input = {
    qualifier: t.qualifier,
    limit: values['limit'] as number | undefined,
    nextToken: str(values, 'nextToken'),
    sessionId: str(values, 'sessionId'),
    sessionStatus: str(values, 'sessionStatus'),
  };
  let sessions: Session[];
  let nextToken: string | undefined;
  if (values['all']) {
    sessions = [];
    for await (const session of client.iterateSessions(t.functionName, input)) sessions.push(session);
  } else {
    ({ sessions, nextToken } = await client.listSessions(t.functionName, input));
  }
  const store = new ManifestStore(t.manifest.manifestDir, {
    ...t.manifest,
    functionName: t.functionName,
    qualifier: t.qualifier ?? 'LATEST',
  });
  await store.load();
  const recorded = new Set(store.sessions.map((s) => s.sessionId));
  if (values['prefetched']) sessions = sessions.filter((s) => recorded.has(s.sessionId));
  const data = { sessions: sessions.map((s) => ({ ...s, prefetched: recorded.has(s.sessionId) })), nextToken };
  return {
    data,
    text: `${formatSessions(sessions, recorded)}${nextToken ? `next page: --next-token ${nextToken}\n` : ''}`,
    exitCode: EXIT.ok,
  };
}

/** What a front door shows and returns for a failed command: the error, and the partial result of a prefetch. */
export function failureOutcome(error: unknown, format: FormatOptions = {}): RunOutcome {
  const summary = summarizeError(error);
  const errorText = formatError(summary, format);
  if (error instanceof PrefetchError) {
    return {
      data: { error: summary, result: error.result },
      text: formatPrefetch(error.result, format),
      errorText,
      exitCode: error.exitCode,
    };
  }
  return { data: { error: summary }, text: '', errorText, exitCode: exitCodeOf(error) };
}
