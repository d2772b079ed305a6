import { pruneWithKeeper } from '../commands/prefetch.js';
import { defineCommand } from '../commands/define.js';
import { EXIT, isNotFound } from '../core/errors.js';
import { formatPrune } from '../core/format.js';
import type { PruneResult } from '../core/prune.js';

/** What `s remove` removed. */
export interface RemoveResult {
  prune: PruneResult;
  functionName: string;
  triggers: string[];
  /** false when the function was already gone, or was kept because sessions could not all be deleted. */
  removed: boolean;
}

/**
 * `s remove` (fc3's command, without its prompt): the keeper on FC and the sessions, as `s prune`
 * (so nothing re-creates or keeps a session), then the function's triggers and the function. A
 * prune that could not delete every session stops it before the function goes (exit 5).
 * Only the component takes it (fc3 users add the plugin to `pre-remove` instead).
 */
export const removeFunction = defineCommand(
  {
    path: ['remove'],
    summary: 'Remove the keeper on FC, the sessions prefetch made, the triggers and the function',
    description:
      'Removes what `s prune` removes (the keeper on FC, then the recorded sessions), then the function and its triggers.',
    options: ['concurrency', 'settleSeconds', 'assumeYes'],
  },
  async (input, scope) => {
    const fc = await scope.client();
    const { functionName } = scope.target;
    const prune = await pruneWithKeeper(fc, { ...input, sessionIds: undefined }, scope);
    const result: RemoveResult = { prune, functionName, triggers: [], removed: false };
    const pruned = formatPrune(prune, scope.format);
    if (!prune.complete) return { data: result, text: pruned, exitCode: EXIT.incomplete };
    try {
      for await (const trigger of fc.iterateTriggers(functionName, {}, { signal: scope.signal })) {
        await fc.deleteTrigger(functionName, trigger.triggerName, { signal: scope.signal });
        result.triggers.push(trigger.triggerName);
      }
      await fc.deleteFunction(functionName, { signal: scope.signal });
      result.removed = true;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const triggers = result.triggers.length > 0 ? ` and its triggers ${result.triggers.join(', ')}` : '';
    scope.progress?.(
      result.removed ? `removed function ${functionName}${triggers}` : `function ${functionName} was not there`,
    );
    return { data: result, text: pruned, exitCode: EXIT.ok };
  },
);
