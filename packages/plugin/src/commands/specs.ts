import { SESSION_IDLE_TIMEOUT, SESSION_TTL } from '@fc-sessions/client';
import type { FlagSpec } from './args.js';

/** Where a flag applies: the `fcs` command line, the Serverless Devs component, or both. */
export type FrontDoor = 'cli' | 'devs';

export interface FlagDef extends FlagSpec {
  only?: FrontDoor;
}

export interface CommandSpec {
  /** e.g. `['session', 'create']`. */
  path: readonly string[];
  summary: string;
  description: string;
  /** Positional arguments for `fcs` usage, e.g. `[function]`. */
  args?: string;
  /** fc3's name for the same command, e.g. `remove` for `delete`. */
  alias?: string;
  flags: readonly FlagDef[];
}

const f = {
  functionName: {
    name: 'function-name',
    key: 'functionName',
    type: 'string',
    placeholder: '<name>',
    description: 'function (default: props.functionName in s, the first argument in fcs)',
  },
  qualifier: {
    name: 'qualifier',
    key: 'qualifier',
    type: 'string',
    placeholder: '<qualifier>',
    description: 'version or alias (default LATEST)',
  },
  region: {
    name: 'region',
    key: 'region',
    type: 'string',
    placeholder: '<region>',
    description: 'region, e.g. cn-hangzhou',
  },
  endpoint: {
    name: 'endpoint',
    key: 'endpoint',
    type: 'string',
    placeholder: '<url>',
    description: 'FC endpoint, e.g. http://127.0.0.1:9100 (default $FCS_ENDPOINT)',
  },
  accountId: {
    name: 'account-id',
    key: 'accountId',
    type: 'string',
    placeholder: '<id>',
    description: 'account id',
    only: 'cli',
  },
  access: {
    name: 'access',
    key: 'access',
    short: 'a',
    type: 'string',
    placeholder: '<alias>',
    description: 'Serverless Devs alias from ~/.s/access.yaml',
    only: 'cli',
  },
  timeout: {
    name: 'timeout',
    key: 'timeoutSeconds',
    type: 'integer',
    min: 1,
    max: 86400,
    placeholder: '<seconds>',
    description: 'per-call timeout in seconds',
  },
  maxAttempts: {
    name: 'max-attempts',
    key: 'maxAttempts',
    type: 'integer',
    min: 1,
    max: 10,
    placeholder: '<n>',
    description: 'attempts per retryable call (default 3)',
  },
  manifestDir: {
    name: 'manifest-dir',
    key: 'manifestDir',
    type: 'string',
    placeholder: '<dir>',
    description: 'where prefetched sessions are recorded (default $FCS_MANIFEST_DIR, else .fcs/sessions)',
  },
  settle: {
    name: 'settle-seconds',
    key: 'settleSeconds',
    type: 'integer',
    min: 0,
    max: 86400,
    placeholder: '<seconds>',
    description: 'keep a session recorded as "creating" that FC does not know this long, 0-86400 (default 600)',
  },
  json: { name: 'json', key: 'json', type: 'boolean', description: 'print the result as JSON', only: 'cli' },
  sessionId: { name: 'session-id', key: 'sessionId', type: 'string', placeholder: '<id>', description: 'session id' },
  ttl: {
    name: 'session-ttl-in-seconds',
    key: 'sessionTTLInSeconds',
    aliases: ['st', 'ttl'],
    type: 'integer',
    min: SESSION_TTL.min,
    max: SESSION_TTL.max,
    placeholder: '<seconds>',
    description: `session lifetime, ${SESSION_TTL.min}-${SESSION_TTL.max} (default: the function's)`,
  },
  idle: {
    name: 'session-idle-timeout-in-seconds',
    key: 'sessionIdleTimeoutInSeconds',
    aliases: ['si', 'idle-timeout'],
    type: 'integer',
    min: SESSION_IDLE_TIMEOUT.min,
    max: SESSION_IDLE_TIMEOUT.max,
    placeholder: '<seconds>',
    description: `idle timeout, ${SESSION_IDLE_TIMEOUT.min}-${SESSION_IDLE_TIMEOUT.max} (default: the function's)`,
  },
  reuse: {
    name: 'disable-session-id-reuse',
    key: 'disableSessionIdReuse',
    aliases: ['dsr'],
    type: 'boolean',
    description: 'the id cannot be used again once the session is gone',
  },
  nas: {
    name: 'nas-config',
    key: 'nasConfig',
    type: 'json',
    placeholder: '<json>',
    description: 'per-session NAS mounts',
  },
  oss: {
    name: 'oss-mount-config',
    key: 'ossMountConfig',
    type: 'json',
    placeholder: '<json>',
    description: 'per-session OSS mounts',
  },
  polar: {
    name: 'polar-fs-config',
    key: 'polarFsConfig',
    type: 'json',
    placeholder: '<json>',
    description: 'per-session PolarFS mounts',
  },
  concurrency: {
    name: 'concurrency',
    key: 'concurrency',
    type: 'integer',
    min: 1,
    max: 64,
    placeholder: '<n>',
    description: 'calls in flight at once (default 4)',
  },
} satisfies Record<string, FlagDef>;

const connection: readonly FlagDef[] = [
  f.functionName,
  f.region,
  f.endpoint,
  f.accountId,
  f.access,
  f.timeout,
  f.maxAttempts,
];
const mounts: readonly FlagDef[] = [f.nas, f.oss, f.polar];
const settings: readonly FlagDef[] = [f.ttl, f.idle, f.reuse, ...mounts];
const sessionTarget: readonly FlagDef[] = [{ ...f.sessionId, description: 'session id (required)' }, f.qualifier];

const invoke: CommandSpec = {
  path: ['invoke'],
  summary: 'Invoke the function, into a session',
  description:
    'Invokes the function and prints its log, instance, request id and result like fc3. Without --session-id the call goes into a ' +
    'session prefetch recorded (the lowest slot still alive), unless --no-session. A function error exits with code 1.\n\n' +
    'Examples:\n  invoke -e \'{"key":"value"}\'\n  invoke -f event.json --session-id my-session\n  invoke --invocation-type Async --async-task-id job_1',
  args: '[function]',
  flags: [
    { name: 'event', key: 'event', short: 'e', type: 'string', placeholder: '<event>', description: 'event text' },
    {
      name: 'event-file',
      key: 'eventFile',
      short: 'f',
      type: 'string',
      placeholder: '<file>',
      description: 'read the event from a file ("-" = stdin; piped stdin is read too)',
    },
    f.sessionId,
    {
      name: 'session',
      key: 'useSession',
      type: 'boolean',
      description: 'use a prefetched session (default; --no-session: none)',
    },
    {
      name: 'header',
      key: 'header',
      short: 'H',
      type: 'list',
      placeholder: '<name:value>',
      description: 'extra request header (repeatable)',
    },
    {
      name: 'invocation-type',
      key: 'invocationType',
      type: 'string',
      choices: ['Sync', 'Async'],
      placeholder: '<Sync|Async>',
      description: 'default Sync',
    },
    {
      name: 'async-task-id',
      key: 'asyncTaskId',
      type: 'string',
      placeholder: '<id>',
      description: 'async task id (with --invocation-type Async)',
    },
    {
      name: 'log-type',
      key: 'logType',
      type: 'string',
      choices: ['None', 'Tail'],
      placeholder: '<None|Tail>',
      description: 'default Tail (Sync), None (Async)',
    },
    f.qualifier,
    ...connection,
    f.manifestDir,
    { name: 'silent', key: 'silent', type: 'boolean', description: 'print only the result', only: 'cli' },
    f.json,
  ],
};

function session(
  name: string,
  summary: string,
  description: string,
  flags: readonly FlagDef[],
  alias?: string,
): CommandSpec {
  return {
    path: ['session', name],
    summary,
    description,
    args: '[function]',
    flags: [...flags, ...connection, f.json],
    ...(alias ? { alias } : {}),
  };
}

const prefetchFlags: readonly FlagDef[] = [
  {
    name: 'count',
    key: 'count',
    short: 'n',
    type: 'integer',
    min: 0,
    max: 1000,
    placeholder: '<n>',
    description: 'sessions to keep (required)',
  },
  f.qualifier,
  ...settings,
  {
    name: 'id-prefix',
    key: 'idPrefix',
    type: 'string',
    placeholder: '<prefix>',
    description: 'session ids are <prefix><32 hex>',
  },
  f.concurrency,
  {
    name: 'on-failure',
    key: 'onFailure',
    type: 'string',
    choices: ['fail', 'warn'],
    placeholder: '<fail|warn>',
    description: 'fail (default, exit 5) or warn when not all sessions could be made',
  },
  {
    name: 'prefetch-timeout',
    key: 'timeoutSeconds',
    type: 'integer',
    min: 1,
    max: 3600,
    placeholder: '<seconds>',
    description: 'bound on the whole prefetch (default 600)',
  },
  { name: 'trim', key: 'trim', type: 'boolean', description: 'delete sessions beyond --count' },
  f.settle,
  f.manifestDir,
];

const prefetchDescription =
  'Makes sure N Active sessions exist for the function and qualifier: reads the manifest, drops expired sessions, ' +
  'creates the missing ones (each recorded before it is created) and, with --trim, deletes extras. Mount configs may use ' +
  '{index}, {sessionId}, {functionName}, {qualifier}.\n\nExamples:\n  prefetch -n 5 --ttl 3600\n  prefetch -n 2 --oss-mount-config \'{"mountPoints":[{"bucketName":"b","bucketPath":"/u/{index}","mountDir":"/mnt/u"}]}\'';

const pruneFlags: readonly FlagDef[] = [
  f.qualifier,
  { ...f.sessionId, type: 'list', description: 'only this recorded session (repeatable)' },
  f.concurrency,
  f.settle,
  f.manifestDir,
];
const pruneDescription =
  'Deletes the sessions prefetch recorded in the manifest (all, or --session-id) and removes them from it. Sessions it did not make are left alone.';

export const COMMANDS: readonly CommandSpec[] = [
  invoke,
  session(
    'create',
    'Create a session',
    'Creates a session: FC starts an instance, runs its initializer and binds the session to it.\n\nExample:\n  session create --session-ttl-in-seconds 600',
    [{ ...f.sessionId, description: 'client-chosen id (default: a new 32-hex id)' }, f.qualifier, ...settings],
  ),
  session(
    'get',
    'Show a session',
    'Shows an Active session.\n\nExample:\n  session get --session-id my-session',
    sessionTarget,
  ),
  session('update', 'Change a session', 'Changes TTL, idle timeout, id reuse or mounts of a session.', [
    ...sessionTarget,
    ...settings,
  ]),
  session(
    'list',
    'List sessions',
    'Lists the sessions of the function (one page, or every page with --all); sessions prefetch made are marked.',
    [
      f.qualifier,
      {
        name: 'limit',
        key: 'limit',
        type: 'integer',
        min: 1,
        max: 100,
        placeholder: '<n>',
        description: 'page size, 1-100',
      },
      { name: 'next-token', key: 'nextToken', type: 'string', placeholder: '<token>', description: 'page to start at' },
      {
        name: 'session-status',
        key: 'sessionStatus',
        type: 'string',
        placeholder: '<status>',
        description: 'Active or Expired',
      },
      { ...f.sessionId, description: 'only this session' },
      { name: 'all', key: 'all', type: 'boolean', description: 'every page' },
      { name: 'prefetched', key: 'prefetched', type: 'boolean', description: 'only sessions prefetch recorded' },
      f.manifestDir,
    ],
  ),
  session(
    'delete',
    'Delete a session',
    'Deletes a session (also removes it from the manifest).',
    [
      ...sessionTarget,
      {
        name: 'assume-yes',
        key: 'assumeYes',
        short: 'y',
        type: 'boolean',
        description: 'accepted for fc3 compatibility',
      },
      f.manifestDir,
    ],
    'remove',
  ),
  session('pause', 'Pause a session', 'Pauses a session.', sessionTarget),
  session('resume', 'Resume a paused session', 'Resumes a paused session.', [
    ...sessionTarget,
    { name: 'file-system-only', key: 'fileSystemOnly', type: 'boolean', description: 'only resume the file system' },
  ]),
  session('prefetch', 'Keep N warm sessions', prefetchDescription, prefetchFlags),
  session('prune', 'Delete the sessions prefetch made', pruneDescription, pruneFlags),
  {
    path: ['prefetch'],
    summary: 'Keep N warm sessions (same as session prefetch)',
    description: prefetchDescription,
    args: '[function]',
    flags: [...prefetchFlags, ...connection, f.json],
  },
  {
    path: ['prune'],
    summary: 'Delete the sessions prefetch made (same as session prune)',
    description: pruneDescription,
    args: '[function]',
    flags: [...pruneFlags, ...connection, f.json],
  },
];

export const SESSION_SUBCOMMANDS = COMMANDS.filter((c) => c.path[0] === 'session').map((c) => c.path[1] as string);

/** The command for a path (`['session', 'remove']` finds `delete`). */
export function findCommand(path: readonly string[]): CommandSpec | undefined {
  return COMMANDS.find(
    (c) =>
      c.path.length === path.length &&
      c.path.every((part, i) => part === path[i] || (i === c.path.length - 1 && c.alias === path[i])),
  );
}

/** The flags of a command that a front door takes. */
export function flagsFor(spec: CommandSpec, door: FrontDoor): FlagDef[] {
  return spec.flags.filter((flag) => flag.only === undefined || flag.only === door);
}
