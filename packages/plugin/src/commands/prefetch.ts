import { EXIT } from '../core/errors.js';
import { formatPrefetch, formatPrefetchEvent, formatPrune } from '../core/format.js';
import { type PrefetchResult, prefetchChecked } from '../core/prefetch.js';
import { PREFETCH_KEYS, PREFETCH_REQUIRED } from '../core/prefetch-options.js';
import { removeKeeper } from '../core/keeper-function.js';
import type { FcClient } from '@fc-sessions/client';
import { type PruneResult, type PruneSettings, pruneChecked } from '../core/prune.js';
import { SETTINGS } from '../settings/settings.js';
import { type Command, type CommandScope, defineCommand } from './define.js';

const PREFETCH_OPTIONS = PREFETCH_KEYS.filter((key) => key !== 'functionName' && key !== 'qualifier');

const prefetchDescription =
  'Makes sure N Active sessions exist for the function and qualifier: reads the manifest, drops expired sessions, ' +
  'creates the missing ones (each recorded before it is created) and deletes extras, the highest slots (--no-trim: keeps them and warns). Mount configs may use ' +
  '{index}, {sessionId}, {functionName}, {qualifier}.\n\nExamples:\n  prefetch -n 5 --ttl 3600\n  prefetch -n 2 --oss-mount-config \'{"mountPoints":[{"bucketName":"b","bucketPath":"/u/{index}","mountDir":"/mnt/u"}]}\'';

function prefetchCommand(path: readonly string[], summary: string): Command<PrefetchResult> {
  return defineCommand(
    {
      path,
      summary,
      description: prefetchDescription,
      options: PREFETCH_OPTIONS,
      required: { count: PREFETCH_REQUIRED.count },
      docs: { onFailure: 'fail (default, exit 5) or warn when not all sessions could be made' },
    },
    async (input, { target, client, progress, warning, signal, format }) => {
      const result = await prefetchChecked(
        await client(),
        { ...input, functionName: target.functionName, qualifier: target.qualifier },
        {
          ...target.manifest,
          signal,
          onProgress: progress && ((event) => progress(formatPrefetchEvent(event))),
          onWarning: warning,
        },
      );
      return { data: result, text: formatPrefetch(result, format), exitCode: EXIT.ok };
    },
  );
}

const pruneDescription =
  'Deletes the sessions prefetch recorded in the manifest (all, or --session-id) and removes them from it. Sessions it did not make are left alone. ' +
  'Without --session-id it first removes the keeper on FC of the function and qualifier (its timer trigger, its function, then the sessions it made).';

function pruneCommand(path: readonly string[], summary: string): Command<PruneResult> {
  return defineCommand(
    { path, summary, description: pruneDescription, options: ['sessionIds', 'concurrency', 'settleSeconds'] },
    async (input, scope) => {
      const result = await pruneWithKeeper(await scope.client(), input, scope);
      return {
        data: result,
        text: formatPrune(result, scope.format),
        exitCode: result.complete ? EXIT.ok : EXIT.incomplete,
      };
    },
  );
}

/**
 * `prune`'s work: without `sessionIds`, first the keeper on FC of the function@qualifier
 * (`removeKeeper`: its triggers, its function, its sessions), then the sessions the manifest records.
 */
export async function pruneWithKeeper(
  fc: FcClient,
  input: Pick<PruneSettings, 'sessionIds' | 'settleSeconds' | 'concurrency'>,
  { target, progress, warning, signal }: Pick<CommandScope, 'target' | 'progress' | 'warning' | 'signal'>,
): Promise<PruneResult> {
  const keeper =
    input.sessionIds === undefined
      ? await removeKeeper(fc, target.functionName, target.qualifier, {
          concurrency: input.concurrency,
          signal,
          onWarning: warning,
        })
      : undefined;
  if (keeper) progress?.(`removed keeper function ${keeper.functionName} and its trigger`);
  const settings = {
    functionName: target.functionName,
    qualifier: target.qualifier,
    sessionIds: input.sessionIds,
    concurrency: input.concurrency,
    settleSeconds: input.settleSeconds,
    timeoutSeconds: SETTINGS.timeoutSeconds.default,
  };
  const pruned = await pruneChecked(fc, settings, {
    ...target.manifest,
    signal,
    onProgress: progress && ((e) => progress(`[${e.done}/${e.total}] ${e.type} ${e.sessionId}`)),
    onWarning: warning,
  });
  return keeper
    ? {
        ...pruned,
        keeper,
        deleted: [...keeper.deleted, ...pruned.deleted],
        failed: [...keeper.failed, ...pruned.failed],
        complete: pruned.complete && keeper.failed.length === 0,
      }
    : pruned;
}

export const prefetch = prefetchCommand(['prefetch'], 'Keep N warm sessions (same as session prefetch)');
export const sessionPrefetch = prefetchCommand(['session', 'prefetch'], 'Keep N warm sessions');
export const prune = pruneCommand(['prune'], 'Delete the sessions prefetch made (same as session prune)');
export const sessionPrune = pruneCommand(['session', 'prune'], 'Delete the sessions prefetch made');
