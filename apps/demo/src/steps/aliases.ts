import { join } from 'node:path';
import type { AsyncTask } from '@fc-sessions/client';
import { prefetchSessions, saveAlias, waitForTask } from '@fc-sessions/plugin';
import { CHAT, EVENT_WORKER } from '../apps.js';
import type { FlowContext } from '../context.js';
import { short } from '../report.js';

/** The emulator's view of an instance: which version it runs. */
export interface InstanceVersion {
  readonly instanceId: string;
  readonly versionId: string;
}

export interface AliasSession {
  readonly alias: string;
  /** The version the alias points at. */
  readonly versionId: string;
  readonly sessionId: string;
  readonly boundInstance: string | undefined;
  /** The instances that served its calls, and the version each runs. */
  readonly servedBy: readonly InstanceVersion[];
}

export interface AliasesOutcome {
  readonly versions: readonly string[];
  readonly sessions: readonly AliasSession[];
  readonly task: {
    readonly taskId: string;
    /** Statuses seen while watching it. */
    readonly watched: readonly string[];
    readonly final: AsyncTask | undefined;
  };
}

const ALIASES = [
  ['prod', 0],
  ['canary', 1],
] as const;

/**
 * Versions and aliases: publish v1 and v2 of the chat, point `prod` at v1 and `canary` at v2,
 * prefetch a session on each alias, and check that each session's calls land on an instance of
 * its alias's version. Then an async job of the worker: started, watched and stopped by its id.
 */
export async function aliasesStep(
  ctx: FlowContext,
  workDir: string,
  instances: () => readonly InstanceVersion[],
): Promise<AliasesOutcome> {
  const { client, checks, signal } = ctx;
  const fn = CHAT.functionName;
  checks.step('versions and aliases', `${fn}: v1 and v2, prod -> v1, canary -> v2, a session prefetched on each`);

  const v1 = await client.publishFunctionVersion(fn, { description: 'first release' }, { signal });
  await client.updateFunction(fn, { description: 'second release' }, { signal });
  const v2 = await client.publishFunctionVersion(fn, { description: 'second release' }, { signal });
  const versions = [v1.versionId, v2.versionId];
  for (const [alias, n] of ALIASES) {
    await saveAlias(client, fn, { aliasName: alias, versionId: versions[n] }, 'create');
  }
  const aliases = await client.listAliases(fn, {}, { signal });
  checks.expect(
    `published versions ${versions.join(' and ')}; ${aliases.aliases.map((a) => `${a.aliasName} -> ${a.versionId}`).join(', ')}`,
    versions.join() === '1,2' &&
      aliases.aliases.map((a) => `${a.aliasName}:${a.versionId}`).join() === 'canary:2,prod:1',
    () => `versions ${versions.join()}, aliases ${JSON.stringify(aliases.aliases)}`,
  );

  const manifestDir = join(workDir, 'alias-sessions');
  const sessions: AliasSession[] = [];
  for (const [alias, n] of ALIASES) {
    const prefetched = await prefetchSessions(client, {
      functionName: fn,
      qualifier: alias,
      count: 1,
      manifestDir,
      region: 'cn-hangzhou',
      signal,
    });
    const session = prefetched.sessions[0];
    if (!session) {
      checks.expect(`prefetch on ${alias} made a session`, false, () => JSON.stringify(prefetched.failed));
      continue;
    }
    const served: InstanceVersion[] = [];
    for (const text of ['hi', 'again']) {
      const result = await client.invoke(fn, { qualifier: alias, session: session.sessionId, body: text, signal });
      const versionId = instances().find((i) => i.instanceId === result.instanceId)?.versionId ?? '?';
      served.push({ instanceId: result.instanceId ?? '?', versionId });
    }
    sessions.push({
      alias,
      versionId: versions[n] ?? '?',
      sessionId: session.sessionId,
      boundInstance: session.containerId,
      servedBy: served,
    });
  }
  for (const s of sessions) {
    checks.expect(
      `${s.alias}: session ${short(s.sessionId)} prefetched; its ${s.servedBy.length} calls on instance ${short(s.boundInstance)}, which runs version ${s.servedBy[0]?.versionId}`,
      s.servedBy.every((i) => i.instanceId === s.boundInstance && i.versionId === s.versionId),
      () => `bound to ${s.boundInstance} (version ${s.versionId}), served by ${JSON.stringify(s.servedBy)}`,
    );
  }

  const worker = EVENT_WORKER.functionName;
  const taskId = `demo_long_${Date.now().toString(36)}`;
  checks.step('async task', `${worker}: a 60 s job started as ${taskId}, watched, then stopped by its id`);
  await client.invoke(worker, {
    invocationType: 'Async',
    asyncTaskId: taskId,
    body: JSON.stringify({ numbers: [1, 2, 3], taskId, workMs: 60_000 }),
    signal,
  });
  const watched: string[] = [];
  let running: AsyncTask | undefined;
  for (let i = 0; i < 100 && running?.status !== 'Running'; i++) {
    running = await client.getAsyncTask(worker, taskId, { signal });
    if (running.status && watched.at(-1) !== running.status) watched.push(running.status);
    if (running.status !== 'Running') await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await client.stopAsyncTask(worker, taskId, { signal });
  const final = await waitForTask(client, worker, taskId, {
    intervalMs: 50,
    timeoutMs: 10_000,
    signal,
    onStatus: (task) => {
      if (task.status && watched.at(-1) !== task.status) watched.push(task.status);
    },
  }).catch(() => undefined);
  checks.expect(
    `task ${taskId}: ${watched.join(' -> ')}${final?.durationMs !== undefined ? ` after ${final.durationMs} ms of its 60 s` : ''}`,
    watched.includes('Running') && final?.status === 'Stopped' && (final.durationMs ?? 60_000) < 30_000,
    () => `watched ${watched.join(', ')}, final ${JSON.stringify(final)}`,
  );
  return { versions, sessions, task: { taskId, watched, final } };
}
