import type { Alias, AsyncTask, FunctionVersion, Session } from '@fc-sessions/client';
import type { ErrorSummary } from './errors.js';
import type { InvokeReport } from './invoke.js';
import type { KeepReport } from './keeper.js';
import type { PrefetchEvent, PrefetchResult } from './prefetch.js';
import type { PruneResult } from './prune.js';

export interface FormatOptions {
  /** ANSI colours (for a terminal). */
  color?: boolean | undefined;
}

const ANSI = { bold: [1, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], dim: [2, 22] } as const;

function painter(options: FormatOptions) {
  return (style: keyof typeof ANSI, text: string) =>
    options.color ? `\u001b[${ANSI[style][0]}m${text}\u001b[${ANSI[style][1]}m` : text;
}

/** What the SessionId line says of where its session came from. */
const SESSION_SOURCE_NOTES: Partial<Record<NonNullable<InvokeReport['sessionSource']>, string>> = {
  manifest: ' (prefetched)',
  keeper: ' (kept on FC)',
};

/** The block fc3's `s invoke` prints (log, instance, checksum, qualifier, request id, result), plus the session. */
export function formatInvoke(report: InvokeReport, options: FormatOptions = {}): string {
  const paint = painter(options);
  const line = (label: string, value: string | undefined) =>
    `${paint('bold', `${label}:`)} ${paint('green', value ?? '')}`;
  const lines: string[] = [];
  if (report.invocationType === 'Async') {
    lines.push(
      line('Qualifier', report.qualifier),
      line('RequestId', report.requestId),
      line('AsyncTaskId', report.asyncTaskId),
    );
  } else {
    lines.push(
      paint('yellow', '========= FC invoke Logs begin ========='),
      (report.logs ?? '').replace(/\n$/, ''),
      paint('yellow', '========= FC invoke Logs end ========='),
      '',
      line('Invoke instanceId', report.instanceId),
      line('Code Checksum', report.codeChecksum),
      line('Qualifier', report.qualifier),
      line('RequestId', report.requestId),
    );
    if (report.sessionId !== undefined) {
      const from = report.sessionSource && SESSION_SOURCE_NOTES[report.sessionSource];
      lines.push(line('SessionId', `${report.sessionId}${from ?? ''}`));
    }
  }
  if (report.errorType) {
    lines.push(
      `${paint('bold', 'Error Type:')} ${paint('red', report.errorType)}`,
      '',
      paint('bold', 'Invoke Result:'),
      paint('red', report.result),
    );
  } else {
    lines.push('', paint('bold', 'Invoke Result:'), paint('green', report.result));
  }
  return `${lines.join('\n')}\n`;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** One line per prefetch step, for progress output. */
export function formatPrefetchEvent(event: PrefetchEvent): string {
  switch (event.type) {
    case 'checked':
      return (
        `${event.functionName}@${event.qualifier}: ${event.active} active, ${event.expired} expired` +
        `${event.unverified ? `, ${event.unverified} unverified` : ''}; creating ${event.missing}`
      );
    case 'created':
      return `[${event.done}/${event.total}] created ${event.sessionId} (slot ${event.index}) on ${event.containerId ?? '?'}`;
    case 'failed':
      return `[${event.done}/${event.total}] failed ${event.sessionId} (slot ${event.index}): ${event.error.code}: ${event.error.message}`;
    case 'trimmed':
      return `deleted extra session ${event.sessionId}`;
  }
}

/** `prefetch <fn>@<q>: 10/10 active (7 created, 3 reused, 0 failed, 1 expired dropped) in 1.2 s` */
export function prefetchSummary(result: PrefetchResult): string {
  const parts = [
    `${result.created.length} created`,
    `${result.reused.length} reused`,
    `${result.failed.length} failed`,
  ];
  if (result.expired.length) parts.push(`${result.expired.length} expired dropped`);
  if (result.replaced.length) parts.push(`${result.replaced.length} replaced (older function revision)`);
  if (result.trimmed.length) parts.push(`${result.trimmed.length} trimmed`);
  if (result.extras.length) parts.push(`${result.extras.length} beyond count, not trimmed`);
  if (result.unverified.length) parts.push(`${result.unverified.length} unverified`);
  return (
    `prefetch ${result.functionName}@${result.qualifier}: ${result.sessions.length}/${result.desired} active ` +
    `(${parts.join(', ')}) in ${(result.durationMs / 1000).toFixed(1)} s`
  );
}

export function formatPrefetch(result: PrefetchResult, options: FormatOptions = {}): string {
  const paint = painter(options);
  const rows = [['SLOT', 'SESSION', 'INSTANCE', 'EXPIRES BY', '']];
  for (const s of result.sessions) {
    rows.push([String(s.index), s.sessionId, s.containerId ?? '', s.expiresAt ?? '', s.reused ? 'reused' : 'new']);
  }
  const lines = result.sessions.length ? [table(rows)] : [];
  for (const f of result.failed)
    lines.push(
      paint(
        'red',
        `${f.action === 'trim' ? 'not trimmed' : 'failed'} ${f.sessionId} (slot ${f.index}): ${f.error.code}: ${f.error.message}`,
      ),
    );
  if (result.error) lines.push(paint('red', `stopped: ${result.error.code}: ${result.error.message}`));
  lines.push(
    paint(result.complete ? 'green' : 'yellow', prefetchSummary(result)),
    paint('dim', `manifest: ${result.manifestPath}`),
  );
  return `${lines.join('\n')}\n`;
}

export function formatPrune(result: PruneResult, options: FormatOptions = {}): string {
  const paint = painter(options);
  const lines = result.keeper
    ? [
        `removed keeper function ${result.keeper.functionName} (triggers: ${result.keeper.triggers.join(', ') || 'none'})`,
      ]
    : [];
  lines.push(...result.deleted.map((id) => `deleted ${id}`));
  for (const f of result.failed) lines.push(paint('red', `failed ${f.sessionId}: ${f.error.code}: ${f.error.message}`));
  for (const id of result.pending)
    lines.push(paint('yellow', `still being created, kept in the manifest (prune again later): ${id}`));
  for (const id of result.notRecorded) lines.push(paint('yellow', `not in the manifest, left alone: ${id}`));
  lines.push(
    paint(
      result.complete ? 'green' : 'yellow',
      `prune ${result.functionName}@${result.qualifier}: ${result.deleted.length} deleted, ${result.pending.length} pending, ${result.failed.length} failed`,
    ),
  );
  return `${lines.join('\n')}\n`;
}

/** A table of sessions; ids that prefetch made are marked. */
export function formatSessions(sessions: readonly Session[], prefetched: ReadonlySet<string> = new Set()): string {
  if (sessions.length === 0) return 'no sessions\n';
  const rows = [['SESSION', 'STATUS', 'INSTANCE', 'QUALIFIER', 'CREATED', 'TTL', 'IDLE', '']];
  for (const s of sessions) {
    rows.push([
      s.sessionId,
      s.sessionStatus ?? '',
      s.containerId ?? '',
      s.qualifier ?? '',
      s.createdTime ?? '',
      s.sessionTTLInSeconds === undefined ? '' : String(s.sessionTTLInSeconds),
      s.sessionIdleTimeoutInSeconds === undefined ? '' : String(s.sessionIdleTimeoutInSeconds),
      prefetched.has(s.sessionId) ? 'prefetched' : '',
    ]);
  }
  return `${table(rows)}\n`;
}

/** `key: value` lines for one object (a session, a function). */
export function formatObject(value: object): string {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  const width = Math.max(0, ...entries.map(([k]) => k.length));
  return `${entries.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join('\n')}\n`;
}

export function formatError(error: ErrorSummary, options: FormatOptions = {}): string {
  const paint = painter(options);
  const where = [error.status && `HTTP ${error.status}`, error.requestId && `request ${error.requestId}`]
    .filter(Boolean)
    .join(', ');
  return `${paint('red', `Error: ${error.code}: ${error.message}`)}${where ? ` (${where})` : ''}\n`;
}

const time = (ms: number | undefined) => (ms === undefined ? '' : new Date(ms).toISOString());

export function formatVersions(versions: readonly FunctionVersion[]): string {
  const rows = [['VERSION', 'CREATED', 'DESCRIPTION']];
  for (const v of versions) rows.push([v.versionId, v.createdTime ?? '', v.description ?? '']);
  return `${table(rows)}\n`;
}

export function formatAliases(aliases: readonly Alias[]): string {
  const rows = [['ALIAS', 'VERSION', 'CANARY WEIGHTS', 'DESCRIPTION']];
  for (const a of aliases) {
    const weights = Object.entries(a.additionalVersionWeight ?? {})
      .map(([id, weight]) => `${id}:${weight}`)
      .join(',');
    rows.push([a.aliasName, a.versionId ?? '', weights, a.description ?? '']);
  }
  return `${table(rows)}\n`;
}

export function formatTasks(tasks: readonly AsyncTask[]): string {
  const rows = [['TASK', 'STATUS', 'QUALIFIER', 'STARTED', 'ENDED']];
  for (const t of tasks) rows.push([t.taskId, t.status ?? '', t.qualifier ?? '', time(t.startedTime), time(t.endTime)]);
  return `${table(rows)}\n`;
}

/** One task: its status and times, then what it returned or its error. */
export function formatTask(task: AsyncTask, options: FormatOptions = {}): string {
  const paint = painter(options);
  const line = (label: string, value: string | number | undefined) =>
    `${paint('bold', `${label}:`)} ${value === undefined ? '' : String(value)}`;
  const failed = task.status === 'Failed';
  const lines = [
    line('AsyncTaskId', task.taskId),
    `${paint('bold', 'Status:')} ${paint(failed ? 'red' : task.status === 'Succeeded' ? 'green' : 'yellow', task.status ?? '')}`,
    line('Qualifier', task.qualifier),
    line('RequestId', task.requestId),
    line('InstanceId', task.instanceId),
    line('Started', time(task.startedTime)),
    line('Ended', time(task.endTime)),
    line('DurationMs', task.durationMs),
  ];
  if (task.taskErrorMessage !== undefined)
    lines.push(`${paint('bold', 'Error:')} ${paint('red', task.taskErrorMessage)}`);
  if (task.returnPayload !== undefined) lines.push('', paint('bold', 'Result:'), task.returnPayload);
  return `${lines.join('\n')}\n`;
}

/** One reconcile of the keeper in a line: `keep #3: 4/4 active (1 created, 1 renewed, ...) in 120 ms; next in 0.9 s`. */
export function formatKeep(report: KeepReport, options: FormatOptions = {}): string {
  const paint = painter(options);
  const counts = [
    `${report.created} created`,
    `${report.renewed} renewed`,
    `${report.replaced} replaced`,
    `${report.retired} retired`,
    `${report.keptAlive} kept alive`,
    `${report.failed} failed`,
  ].join(', ');
  const active = `${report.active}/${report.desired} active`;
  const next = report.nextInMs === undefined ? '' : `; next in ${(report.nextInMs / 1000).toFixed(1)} s`;
  const first = report.targets.flatMap((t) => t.errors)[0];
  return (
    `keep #${report.reconcile}: ${paint(report.converged ? 'green' : 'yellow', active)} (${counts})` +
    `${report.retiring ? `, ${report.retiring} retiring` : ''} in ${report.durationMs} ms${next}` +
    `${report.throttled ? paint('yellow', ' (throttled: backing off)') : ''}` +
    `${first ? paint('red', ` ${first.code}: ${first.message}`) : ''}`
  );
}
