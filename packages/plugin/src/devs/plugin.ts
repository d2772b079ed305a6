import type { Command, RunOutcome } from '../commands/define.js';
import { failureOutcome } from '../commands/outcome.js';
import { prefetch, prune } from '../commands/prefetch.js';
import { isPlainObject } from '../core/check.js';
import { EXIT, type ErrorSummary, invalidArgument, PluginError, summarizeError } from '../core/errors.js';
import { formatPrune, prefetchSummary } from '../core/format.js';
import type { PrefetchResult } from '../core/prefetch.js';
import type { PruneResult } from '../core/prune.js';
import { keysIn } from '../settings/resolve.js';
import { devsConnect, projectDir, propsSource, readProps, wantsData } from './context.js';
import { deployKeeper, type KeeperDeployment } from './keeper.js';
import type { DevsInputs, DevsLogger } from './types.js';

const ARGS_KEYS = keysIn('args');

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** What the plugin adds to the output: prefetch's result, the keeper on FC's deployment, or a remove's prune. */
interface ActionResult {
  result?: PrefetchResult | undefined;
  keeper?: KeeperDeployment | undefined;
  pruned?: PruneResult | undefined;
}

/**
 * Serverless Devs plugin for `success-deploy`: keeps `args.count` warm sessions of the function
 * just deployed, and returns the deploy output with `sessions` (and `prefetch`, a summary) added,
 * so `s deploy` prints them and later resources can use `${resources.<name>.output.sessions}`.
 * With `args.keeper` it deploys the keeper on FC instead (see `deployKeeper`); in a `pre-remove`
 * action (`s remove`) it prunes as `s prune` does (the keeper on FC first), so fc3's remove finds
 * nothing of ours left. Settings come from `args`, else the deploy output, else props (see
 * `SETTINGS`); credentials from `inputs.getCredential()`. With `-o` (where `s` swallows a thrown
 * error) a failure is returned as `error` in the output and the exit code is set, so a CI reading
 * the JSON sees it.
 * A native async function on purpose: `s` first tries `new plugin(...)` and uses the function only if that throws.
 */
export const fcSessionsPrefetch = async (
  inputs: DevsInputs,
  args?: Record<string, unknown> | null,
  logger?: DevsLogger,
): Promise<DevsInputs> => {
  let done: ActionResult = {};
  let error: ErrorSummary | undefined;
  try {
    done = await runAction(inputs, args ?? {}, logger);
  } catch (thrown) {
    if (!wantsData(inputs.args)) {
      const summary = summarizeError(thrown);
      throw new Error(`${summary.code}: ${summary.message}`);
    }
    const failed = failureOutcome(thrown);
    error = failed.data.error;
    done = { result: failed.data.result };
    process.exitCode = failed.exitCode;
  }
  const output = isPlainObject(inputs.output) ? inputs.output : {};
  const { result, keeper, pruned } = done;
  return {
    ...inputs,
    output: {
      ...output,
      ...(result ? { sessions: result.sessions, prefetch: summaryOf(result) } : {}),
      ...(keeper ? { keeper } : {}),
      ...(pruned ? { prune: pruned } : {}),
      ...(error ? { error } : {}),
    },
  };
};

async function runAction(inputs: DevsInputs, args: unknown, logger: DevsLogger | undefined): Promise<ActionResult> {
  if (!isPlainObject(args)) throw invalidArgument('args', args, 'must be a mapping of prefetch options');
  if (inputs.command === 'remove') {
    const outcome = await onDeploy(prune, inputs, args, logger);
    const summary = formatPrune(outcome.data).trimEnd();
    logger?.info?.(summary);
    if (outcome.exitCode !== EXIT.ok) {
      throw new PluginError({ code: 'PruneIncomplete', exitCode: EXIT.incomplete, message: summary });
    }
    return { pruned: outcome.data };
  }
  if (args['keeper'] !== undefined && args['keeper'] !== null) {
    const outcome = await onDeploy(deployKeeper, inputs, args, logger);
    if (outcome.exitCode !== EXIT.ok) throw keeperIncomplete(outcome.data);
    return { keeper: outcome.data };
  }
  return { result: (await prefetchForDeploy(inputs, args, logger)).data };
}

function keeperIncomplete(keeper: KeeperDeployment): PluginError {
  const report = keeper.report;
  const first = report?.targets.flatMap((t) => t.errors)[0] ?? keeper.error;
  const reached = report ? `reached ${report.active} of ${report.desired} sessions` : 'failed';
  return new PluginError({
    code: 'KeeperIncomplete',
    exitCode: EXIT.incomplete,
    message: `the keeper ${keeper.functionName} is deployed, but its first run ${reached}${first ? `: ${first.code}: ${first.message}` : ''}`,
  });
}

function summaryOf(result: PrefetchResult): Record<string, unknown> {
  return {
    desired: result.desired,
    qualifier: result.qualifier,
    created: result.created.length,
    reused: result.reused.length,
    failed: result.failed.length,
    complete: result.complete,
    ...(result.error ? { error: result.error } : {}),
    manifest: result.manifestPath,
  };
}

/** Runs `command` for the function just deployed: settings from `args`, the deploy output, then props. */
function onDeploy<D>(
  command: Command<D>,
  inputs: DevsInputs,
  args: Record<string, unknown>,
  logger: DevsLogger | undefined,
): Promise<RunOutcome<D>> {
  const props = readProps(inputs);
  const output = isPlainObject(inputs.output) ? inputs.output : {};
  return command.execute(
    [
      { values: args, name: (key) => `args.${key}`, known: ARGS_KEYS },
      {
        values: { functionName: text(output['functionName']), region: text(output['region']) },
        name: (key) => `the deploy output's ${key}`,
      },
      propsSource(props),
    ],
    {
      connect: {},
      functionHint: 'args.functionName, the deploy output or props.functionName',
      baseDir: projectDir(inputs),
      progress: (line) => logger?.info?.(line),
      warning: (line) => logger?.warn?.(line),
      resolveConnect: (connect) => devsConnect(inputs, connect),
    },
  );
}

async function prefetchForDeploy(
  inputs: DevsInputs,
  args: Record<string, unknown>,
  logger: DevsLogger | undefined,
): Promise<RunOutcome<PrefetchResult>> {
  const outcome = await onDeploy(prefetch, inputs, args, logger);
  const result = outcome.data;
  const summary = prefetchSummary(result);
  if (result.complete) logger?.info?.(summary);
  else logger?.warn?.(`${summary}${result.error ? ` - ${result.error.code}: ${result.error.message}` : ''}`);
  return outcome;
}
