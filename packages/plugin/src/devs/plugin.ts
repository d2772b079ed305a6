import type { Command, RunOutcome } from '../commands/define.js';
import { keep } from '../commands/keep.js';
import { failureOutcome } from '../commands/outcome.js';
import { prefetch, prune } from '../commands/prefetch.js';
import { isPlainObject } from '../core/check.js';
import { EXIT, type ErrorSummary, invalidArgument, PluginError, summarizeError } from '../core/errors.js';
import { formatKeep, formatPrune, prefetchSummary } from '../core/format.js';
import type { KeepReport } from '../core/keeper.js';
import type { PrefetchedSession, PrefetchResult } from '../core/prefetch.js';
import type { PruneResult } from '../core/prune.js';
import type { Setting } from '../settings/define.js';
import { keysIn, resolveSettings, type Source } from '../settings/resolve.js';
import { SETTINGS } from '../settings/settings.js';
import { aliasSource, devsConnect, projectDir, propsSource, readProps, wantsData } from './context.js';
import { deployKeeper, type KeeperDeployment } from './keeper.js';
import type { DevsInputs, DevsLogger } from './types.js';

const ARGS_KEYS = keysIn('args');
/** The keeper's settings `args` may hold: without `keeper`, any of them makes the action one keeper reconcile. */
const KEEP_ARGS = ARGS_KEYS.filter((key) => (SETTINGS[key] as Setting).keep === true);

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * What the plugin adds to the output: prefetch's result, the keeper on FC's deployment, one keeper
 * reconcile's sessions and counts, or a remove's prune.
 */
interface ActionResult {
  result?: PrefetchResult | undefined;
  keeper?: KeeperDeployment | undefined;
  kept?: { sessions: PrefetchedSession[]; keep: Record<string, unknown> | undefined } | undefined;
  pruned?: PruneResult | undefined;
}

/**
 * Serverless Devs plugin for `success-deploy`: keeps `args.count` warm sessions of the function
 * just deployed, and returns the deploy output with `sessions` (and `prefetch`, a summary) added,
 * so `s deploy` prints them and later resources can use `${resources.<name>.output.sessions}`.
 * With `args.keeper` it deploys the keeper on FC instead (see `deployKeeper`); with a keeper setting
 * in `args` but no `keeper` (`renewBeforeSeconds`, ...), it runs one keeper reconcile and adds
 * `sessions` and `keep` (see `keepForDeploy`); in a `pre-remove`
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
  const { result, keeper, kept, pruned } = done;
  return {
    ...inputs,
    output: {
      ...output,
      ...(result ? { sessions: result.sessions, prefetch: summaryOf(result) } : {}),
      ...(keeper ? { keeper } : {}),
      ...kept,
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
  if (KEEP_ARGS.some((key) => args[key] !== undefined && args[key] !== null)) {
    return { kept: await keepForDeploy(inputs, args, logger) };
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

/**
 * Runs `command` for the function just deployed: settings from `first` (values the action fixes),
 * `args`, the deploy output, then props.
 */
function onDeploy<D>(
  command: Command<D>,
  inputs: DevsInputs,
  args: Record<string, unknown>,
  logger: DevsLogger | undefined,
  first: Source[] = [],
): Promise<RunOutcome<D>> {
  const props = readProps(inputs);
  const output = isPlainObject(inputs.output) ? inputs.output : {};
  return command.execute(
    [
      ...first,
      { values: args, name: (key) => `args.${key}`, known: ARGS_KEYS },
      {
        values: { functionName: text(output['functionName']), region: text(output['region']) },
        name: (key) => `the deploy output's ${key}`,
      },
      propsSource(props),
      aliasSource(inputs),
    ],
    {
      connect: {},
      functionHint: 'args.functionName, the deploy output or props.functionName',
      baseDir: projectDir(inputs),
      progress: (line) => logger?.info?.(line),
      warning: (line) => logger?.warn?.(line),
      report: (_data, line) => logger?.info?.(line),
      resolveConnect: (connect) => devsConnect(inputs, connect),
    },
  );
}

/**
 * One keeper reconcile (as `s keep --once`) for the function just deployed: renewed sessions past
 * their grace are deleted, those near the end of their TTL renewed, the function converged to
 * `count` and, with `keepAlive: invoke`, idle sessions invoked. Not reaching `count` fails the
 * deploy unless `onFailure` is `warn`. Returns `sessions` and `keep` (the reconcile's counts).
 */
async function keepForDeploy(
  inputs: DevsInputs,
  args: Record<string, unknown>,
  logger: DevsLogger | undefined,
): Promise<NonNullable<ActionResult['kept']>> {
  const once: Source = { values: { once: true }, name: (key) => key };
  const { data: report, exitCode } = await onDeploy<KeepReport | undefined>(keep, inputs, args, logger, [once]);
  if (exitCode !== EXIT.ok || !report) {
    const message = report ? formatKeep(report) : 'keep: no reconcile ran';
    const { onFailure } = resolveSettings(['onFailure'], [{ values: args, name: (key) => `args.${key}` }]);
    if (onFailure === 'fail') throw new PluginError({ code: 'KeepIncomplete', message, exitCode: EXIT.incomplete });
    logger?.warn?.(message);
  }
  const target = report?.targets[0];
  const summary = report && {
    desired: report.desired,
    qualifier: target?.qualifier,
    active: report.active,
    created: report.created,
    renewed: report.renewed,
    replaced: report.replaced,
    retired: report.retired,
    keptAlive: report.keptAlive,
    failed: report.failed,
    retiring: report.retiring,
    converged: report.converged,
    manifest: target?.manifestPath,
  };
  return { sessions: target?.sessions ?? [], keep: summary };
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
