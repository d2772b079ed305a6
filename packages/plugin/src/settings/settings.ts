import {
  ACCOUNT_ID,
  ACCOUNT_ID_ENV,
  ALIAS_NAME,
  ASYNC_TASK_STATUSES,
  ASYNC_TASK_ID,
  DESCRIPTION_MAX_LENGTH,
  ENDPOINT_ENV,
  FUNCTION_NAME,
  LIST_LIMIT,
  QUALIFIER,
  REGION,
  REGION_ENV,
  SESSION_ID,
  VERSION_ID,
  SESSION_IDLE_TIMEOUT,
  SESSION_STATUSES,
  SESSION_TTL,
} from '@fc-sessions/client';
import { CREATE_SETTLE_SECONDS } from '../core/manifest.js';
import { setting } from './define.js';
import { boolean, choice, fields, integer, list, mount, schedule, text } from './kinds.js';

/** fc3's `--version-id`: a version number, or `latest` (the newest version). */
const VERSION_ID_OR_LATEST = {
  pattern: new RegExp(`^(${VERSION_ID.pattern.source.slice(1, -1)}|latest|LATEST)$`),
  rule: 'must be a published version number such as 1, or latest (the newest version)',
};

/** The id prefix of the keeper on FC's sessions when `idPrefix` is not set: it finds its sessions by it. */
export const KEEPER_ID_PREFIX = 'fcs-keep-';

/** Most sessions one prefetch keeps. */
export const COUNT_MAX = 1000;
const SETTLE_MAX = 86_400;
const KEEP_SECONDS_MAX = 86_400;

/**
 * Every setting of every front door, declared once: its kind (type, range), doc, default, environment
 * variable, `fcs` / `s` flag, and where a host's configuration may hold it. Types, validation,
 * the `fcs` parser and help, the `s` help, the Serverless Framework schema and the README tables
 * are made from it. A setting marked `prefetch` is taken by every prefetch front door at once;
 * another one is named in the `options` of the commands that take it (src/commands/).
 */
export const SETTINGS = {
  functionName: setting(text('<name>', FUNCTION_NAME), {
    prefetch: true,
    doc: 'the function',
    defaultText: 'the deploy output / props',
    flag: { name: 'function-name' },
    args: true,
    custom: 'function',
    props: true,
  }),
  qualifier: setting(text('<qualifier>', QUALIFIER), {
    prefetch: true,
    doc: 'version or alias',
    default: 'LATEST',
    flag: { name: 'qualifier' },
    args: true,
    custom: 'both',
  }),
  count: setting(integer(0, COUNT_MAX), {
    prefetch: true,
    doc: `sessions to keep, 0-${COUNT_MAX}`,
    defaultText: 'required',
    flag: { name: 'count', short: 'n' },
    args: true,
    custom: 'both',
  }),
  sessionTTLInSeconds: setting(integer(SESSION_TTL.min, SESSION_TTL.max, '<seconds>'), {
    prefetch: true,
    doc: `session lifetime, ${SESSION_TTL.min}-${SESSION_TTL.max}`,
    defaultText: "the function's",
    flag: { name: 'session-ttl-in-seconds', aliases: ['st', 'ttl'] },
    args: true,
    custom: 'both',
  }),
  sessionIdleTimeoutInSeconds: setting(integer(SESSION_IDLE_TIMEOUT.min, SESSION_IDLE_TIMEOUT.max, '<seconds>'), {
    prefetch: true,
    doc: `idle timeout, ${SESSION_IDLE_TIMEOUT.min}-${SESSION_IDLE_TIMEOUT.max}`,
    defaultText: "the function's",
    flag: { name: 'session-idle-timeout-in-seconds', aliases: ['si', 'idle-timeout'] },
    args: true,
    custom: 'both',
  }),
  disableSessionIdReuse: setting(boolean, {
    prefetch: true,
    doc: 'the id cannot be used again once the session is gone',
    defaultText: "the function's",
    flag: { name: 'disable-session-id-reuse', aliases: ['dsr'] },
    args: true,
    custom: 'both',
  }),
  nasConfig: setting(mount('nasConfig'), {
    prefetch: true,
    doc: 'per-session NAS mounts; strings may use `{index}`, `{sessionId}`, `{functionName}`, `{qualifier}`',
    defaultText: 'none',
    flag: { name: 'nas-config' },
    args: true,
    custom: 'both',
  }),
  ossMountConfig: setting(mount('ossMountConfig'), {
    prefetch: true,
    doc: 'per-session OSS mounts (templates as for `nasConfig`)',
    defaultText: 'none',
    flag: { name: 'oss-mount-config' },
    args: true,
    custom: 'both',
  }),
  polarFsConfig: setting(mount('polarFsConfig'), {
    prefetch: true,
    doc: 'per-session PolarFS mounts (templates as for `nasConfig`)',
    defaultText: 'none',
    flag: { name: 'polar-fs-config' },
    args: true,
    custom: 'both',
  }),
  idPrefix: setting(
    text('<prefix>', {
      pattern: /^([A-Za-z0-9_][A-Za-z0-9_-]{0,31})?$/,
      rule: 'must be up to 32 of letters, digits, "_" and "-", not starting with "-"',
    }),
    {
      prefetch: true,
      doc: 'session ids are `<idPrefix><32 hex>`',
      default: '',
      keeperDefault: KEEPER_ID_PREFIX,
      defaultText: `none; the keeper on FC: \`${KEEPER_ID_PREFIX}\``,
      flag: { name: 'id-prefix' },
      args: true,
      custom: 'both',
    },
  ),
  concurrency: setting(integer(1, 64), {
    prefetch: true,
    doc: 'calls in flight at once, 1-64',
    default: 4,
    flag: { name: 'concurrency' },
    args: true,
    custom: 'both',
  }),
  onFailure: setting(choice(['fail', 'warn']), {
    prefetch: true,
    doc: '`fail`: an incomplete prefetch is an error (exit 5, a failed deploy); `warn`: warn and go on',
    default: 'fail',
    flag: { name: 'on-failure' },
    args: true,
    custom: 'both',
  }),
  timeoutSeconds: setting(integer(1, 3600, '<seconds>'), {
    prefetch: true,
    doc: 'bound on the whole prefetch, 1-3600 s',
    default: 600,
    flag: { name: 'prefetch-timeout' },
    args: true,
    custom: 'both',
  }),
  trim: setting(boolean, {
    prefetch: true,
    doc: 'delete live recorded sessions beyond `count`, the highest slots (invoke picks the lowest first); `false`: keep them, list them in `extras` and warn',
    default: true,
    flag: { name: 'trim' },
    args: true,
    custom: 'both',
  }),
  settleSeconds: setting(integer(0, SETTLE_MAX, '<seconds>'), {
    prefetch: true,
    doc: `keep a \`creating\` record of an earlier run that FC does not know this long after its last CreateSession, 0-${SETTLE_MAX} s (an unanswered create of the run itself always keeps its slot)`,
    default: CREATE_SETTLE_SECONDS,
    flag: { name: 'settle-seconds' },
    args: true,
    custom: 'service',
  }),
  onFunctionChange: setting(choice(['recreate', 'keep']), {
    prefetch: true,
    doc: 'a live session made for an older revision of the function: `recreate` it in its slot, or `keep` it (FC does not document whether a session stays on its old instance after UpdateFunction: a guess)',
    default: 'recreate',
    flag: { name: 'on-function-change' },
    args: true,
    custom: 'both',
  }),

  functionNames: setting(list('<name>', FUNCTION_NAME), {
    keep: true,
    doc: 'the functions to keep sessions for (each with `count` sessions on `qualifier`)',
    defaultText: 'required',
  }),
  intervalSeconds: setting(integer(1, KEEP_SECONDS_MAX, '<seconds>'), {
    keep: true,
    doc: `seconds from the start of one reconcile to the next, 1-${KEEP_SECONDS_MAX}`,
    default: 60,
    flag: { name: 'interval' },
    custom: 'both',
    props: true,
  }),
  renewBeforeSeconds: setting(integer(0, SESSION_TTL.max - 1, '<seconds>'), {
    keep: true,
    doc: `renew a session this long before its TTL ends (0: never; then it is replaced once lost), 0-${SESSION_TTL.max - 1}, less than the TTL, at least \`intervalSeconds\` and \`graceSeconds\``,
    default: 300,
    flag: { name: 'renew-before' },
    args: true,
    custom: 'both',
    props: true,
  }),
  graceSeconds: setting(integer(0, SESSION_TTL.max, '<seconds>'), {
    keep: true,
    doc: 'a renewed session is deleted this long after its replacement took its slot, for callers still holding its id',
    default: 60,
    flag: { name: 'grace' },
    args: true,
    custom: 'both',
    props: true,
  }),
  keepAlive: setting(choice(['none', 'invoke']), {
    keep: true,
    doc: '`invoke`: send each idle session the keep-alive event (see `isKeepAlive` in @fc-sessions/runtime) before its idle timeout; `none`: let idle sessions expire and replace them',
    default: 'none',
    flag: { name: 'keep-alive' },
    args: true,
    custom: 'both',
    props: true,
  }),
  once: setting(boolean, {
    keep: true,
    doc: 'one reconcile, then exit (0: N Active, 5: not)',
    default: false,
    flag: { name: 'once' },
  }),

  keeper: setting(
    fields({
      schedule: { kind: schedule, doc: 'when the timer trigger runs the keeper, e.g. `@every 5m`', required: true },
      role: { kind: text('<arn>'), doc: 'the RAM role the keeper calls FC with (acs:ram::<account>:role/<name>)' },
      memorySize: { kind: integer(128, 32_768, '<MB>'), doc: "the keeper function's memory, default 128 MB" },
      enable: { kind: boolean, doc: 'false: the timer trigger is deployed disabled' },
    }),
    {
      doc: 'deploy the keeper on FC: a function its timer trigger runs on `schedule`, one reconcile each time (see the keeper on FC); fields `schedule` (required), `role`, `memorySize`, `enable`',
      defaultText: 'none (no keeper on FC)',
      args: true,
    },
  ),
  region: setting(text('<region>', REGION), {
    doc: 'region, e.g. cn-hangzhou',
    defaultText: "the deploy output / props / provider.region, else the aliyun CLI profile's",
    env: REGION_ENV,
    flag: { name: 'region' },
    args: true,
    custom: 'service',
    props: true,
  }),
  endpoint: setting(text('<url>'), {
    doc: 'FC endpoint, e.g. http://127.0.0.1:9100',
    defaultText: `\`$${ENDPOINT_ENV}\`, else FC's for the region`,
    env: [ENDPOINT_ENV],
    flag: { name: 'endpoint' },
    args: true,
    custom: 'service',
    props: true,
  }),
  accountId: setting(text('<id>', ACCOUNT_ID), {
    doc: 'account id',
    defaultText: 'the Serverless Devs alias (`access`, else `default`)',
    env: ACCOUNT_ID_ENV,
    envUnless: 'access',
    flag: { name: 'account-id', only: 'cli' },
  }),
  access: setting(text('<alias>'), {
    doc: 'Serverless Devs alias from ~/.s/access.yaml',
    defaultText: 'the credential chain',
    flag: { name: 'access', short: 'a', only: 'cli' },
    custom: 'service',
  }),
  callTimeoutSeconds: setting(integer(1, 86_400, '<seconds>'), {
    doc: 'per-call timeout in seconds (`session delete`: also how long it waits for the manifest lock)',
    defaultText: "the client's",
    flag: { name: 'timeout' },
  }),
  maxAttempts: setting(integer(1, 10), {
    doc: 'attempts per retryable call, 1-10',
    defaultText: '3',
    flag: { name: 'max-attempts' },
    args: true,
    custom: 'service',
  }),
  manifestDir: setting(text('<dir>'), {
    doc: 'where prefetched sessions are recorded (relative to the s.yaml folder, the service folder or the current directory)',
    default: '.fcs/sessions',
    env: ['FCS_MANIFEST_DIR'],
    flag: { name: 'manifest-dir' },
    args: true,
    custom: 'service',
    props: true,
  }),

  json: setting(boolean, { doc: 'print the result as JSON', flag: { name: 'json', only: 'cli' } }),
  silent: setting(boolean, { doc: 'print only the result', flag: { name: 'silent', only: 'cli' } }),
  event: setting(text('<event>'), { doc: 'event text', flag: { name: 'event', short: 'e' } }),
  eventFile: setting(text('<file>'), {
    doc: 'read the event from a file ("-" = stdin; piped stdin is read too)',
    flag: { name: 'event-file', short: 'f' },
  }),
  sessionId: setting(text('<id>', SESSION_ID), { doc: 'session id', flag: { name: 'session-id' } }),
  sessionIds: setting(list('<id>', SESSION_ID), {
    doc: 'only this recorded session (repeatable)',
    flag: { name: 'session-id' },
  }),
  useSession: setting(boolean, {
    doc: 'use a prefetched session (default; --no-session: none)',
    default: true,
    flag: { name: 'session' },
  }),
  header: setting(list('<name:value>'), {
    doc: 'extra request header (repeatable)',
    flag: { name: 'header', short: 'H' },
  }),
  invocationType: setting(choice(['Sync', 'Async']), {
    doc: 'default Sync',
    flag: { name: 'invocation-type' },
  }),
  asyncTaskId: setting(text('<id>', ASYNC_TASK_ID), {
    doc: 'async task id (with --invocation-type Async)',
    flag: { name: 'async-task-id' },
  }),
  logType: setting(choice(['None', 'Tail']), {
    doc: 'default Tail (Sync), None (Async)',
    flag: { name: 'log-type' },
  }),
  limit: setting(integer(LIST_LIMIT.min, LIST_LIMIT.max), {
    doc: `page size, ${LIST_LIMIT.min}-${LIST_LIMIT.max}`,
    flag: { name: 'limit' },
  }),
  nextToken: setting(text('<token>'), { doc: 'page to start at', flag: { name: 'next-token' } }),
  sessionStatus: setting(choice(SESSION_STATUSES), {
    doc: 'only sessions in this status',
    flag: { name: 'session-status' },
  }),
  all: setting(boolean, { doc: 'every page', flag: { name: 'all' } }),
  prefetched: setting(boolean, { doc: 'only sessions prefetch recorded', flag: { name: 'prefetched' } }),
  assumeYes: setting(boolean, { doc: 'accepted for fc3 compatibility', flag: { name: 'assume-yes', short: 'y' } }),
  fileSystemOnly: setting(boolean, { doc: 'only resume the file system', flag: { name: 'file-system-only' } }),

  wait: setting(boolean, {
    doc: 'with --invocation-type Async: poll the task until it ends and print its result',
    flag: { name: 'wait' },
  }),
  waitTimeoutSeconds: setting(integer(1, 86_400, '<seconds>'), {
    doc: 'give up waiting for the task after this long (exit 4), 1-86400',
    defaultText: 'wait as long as it takes',
    flag: { name: 'wait-timeout' },
  }),
  taskId: setting(text('<id>', ASYNC_TASK_ID), { doc: 'async task id', flag: { name: 'task-id' } }),
  taskStatus: setting(choice(ASYNC_TASK_STATUSES), { doc: 'only tasks in this status', flag: { name: 'status' } }),
  taskPrefix: setting(text('<prefix>', ASYNC_TASK_ID), {
    doc: 'only task ids starting with this',
    flag: { name: 'prefix' },
  }),
  versionId: setting(text('<id>', VERSION_ID_OR_LATEST), {
    doc: 'version id, or latest (the newest published version)',
    flag: { name: 'version-id' },
  }),
  aliasName: setting(text('<name>', ALIAS_NAME), { doc: 'alias name', flag: { name: 'alias-name' } }),
  description: setting(
    text('<text>', {
      pattern: new RegExp(`^[\\s\\S]{0,${DESCRIPTION_MAX_LENGTH}}$`),
      rule: `must be at most ${DESCRIPTION_MAX_LENGTH} characters`,
    }),
    { doc: 'description', flag: { name: 'description' } },
  ),
  versionWeight: setting(text('<json>'), {
    doc: 'canary versions and their share of the calls without a session, as JSON, e.g. {"2":0.2}',
    flag: { name: 'vw', aliases: ['additionalVersionWeight', 'additional-version-weight'] },
  }),
} as const;

export type Settings = typeof SETTINGS;
export type SettingKey = keyof Settings;
