import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { FUNCTION_TIMEOUT } from '@fc-sessions/client';
import { makeZip } from '@fc-sessions/internals/zip-writer';
import { defineCommand } from '../commands/define.js';
import { EXIT, invalidArgument, PluginError } from '../core/errors.js';
import { checkKeepSettings } from '../core/keep-checks.js';
import type { KeepReport } from '../core/keeper.js';
import {
  KEEPER_FUNCTION_KEYS,
  KEEPER_HANDLER,
  KEEPER_TRIGGER_NAME,
  keeperEnvironment,
  keeperFunctionName,
  shortestGapSeconds,
} from '../core/keeper-function.js';
import { type DeployResult, deployFunction } from './deploy.js';

/** The keeper function's code: the bundle next to the built modules (dist/), or dist/ when run from src/. */
const CODE_DIRS = ['../keeper-function/', '../../dist/keeper-function/'];
const CODE_FILES = ['index.js', 'package.json'];
/** The keeper function's memory unless `keeper.memorySize` says otherwise (MB). */
const KEEPER_MEMORY_MB = 128;
/** Time the keeper function has beyond one reconcile's bound (`timeoutSeconds`), for its start. */
const KEEPER_TIMEOUT_MARGIN_SECONDS = 30;

/**
 * The keeper function's timeout: `timeoutSeconds` and the margin for its start, but never longer
 * than the least gap between two fires of its schedule, so a run has ended (or FC ended it) before
 * the next one starts: runs never overlap, with no lock (FC's list of the sessions, which each run
 * reads afresh, is the state, so a run cut short leaves nothing the next one does not pick up).
 */
export function keeperTimeout(timeoutSeconds: number, schedule: string): number {
  const gap = shortestGapSeconds(schedule) ?? FUNCTION_TIMEOUT.max;
  return Math.max(
    FUNCTION_TIMEOUT.min,
    Math.min(timeoutSeconds + KEEPER_TIMEOUT_MARGIN_SECONDS, FUNCTION_TIMEOUT.max, Math.floor(gap)),
  );
}

async function keeperCode(): Promise<string> {
  const dir = CODE_DIRS.map((d) => fileURLToPath(new URL(d, import.meta.url))).find((d) => existsSync(`${d}index.js`));
  if (dir === undefined) {
    throw new PluginError({
      code: 'KeeperCodeMissing',
      message: 'the keeper function bundle (dist/keeper-function/index.js) is missing: build @fc-sessions/plugin',
    });
  }
  const entries = await Promise.all(CODE_FILES.map(async (name) => ({ name, data: await readFile(dir + name) })));
  return makeZip(entries).toString('base64');
}

/** What deploying the keeper did, and the report of the reconcile it ran at once. */
export interface KeeperDeployment {
  functionName: string;
  schedule: string;
  /** The keeper function's timeout (see `keeperTimeout`). */
  timeoutSeconds: number;
  function: DeployResult['action'];
  trigger: DeployResult['triggers'][number]['action'];
  /** The first reconcile, run by invoking the keeper once when the deploy ends. */
  report: KeepReport | undefined;
  error?: { code: string; message: string } | undefined;
}

/** A function error's type and message, from FC's body `{errorMessage, errorType, stackTrace}` (the stack left out). */
function functionError(errorType: string, body: string): { code: string; message: string } {
  try {
    const parsed = JSON.parse(body) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return { code: errorType, message: parsed.errorMessage };
  } catch {}
  return { code: errorType, message: body.slice(0, 500) };
}

/**
 * Deploys (or updates, when it differs) the keeper of the function on FC: a nodejs20 function
 * named by `keeperFunctionName`, whose environment holds the keeper's settings (`FCS_KEEP_*`) and
 * whose timer trigger `fcs-keeper` runs it on `keeper.schedule`; then invokes it once, so the
 * sessions are there when the deploy returns. Not a command of its own: the `success-deploy`
 * plugin runs it when `args.keeper` is set.
 */
export const deployKeeper = defineCommand(
  {
    path: ['keeper', 'deploy'],
    summary: 'Deploy the keeper on FC',
    description: 'Deploys the keeper function and its timer trigger, then runs it once.',
    options: [...KEEPER_FUNCTION_KEYS.filter((key) => key !== 'functionName' && key !== 'qualifier'), 'keeper'],
    required: { count: 'how many sessions to keep', keeper: 'the keeper on FC (schedule, role, ...)' },
    keeper: true,
    check: checkKeepSettings,
  },
  async (input, { target, client, progress, warning }) => {
    const { functionName, qualifier } = target;
    const { keeper, ...settings } = input;
    const name = keeperFunctionName(functionName, qualifier);
    if (name === undefined) {
      throw invalidArgument('functionName', functionName, 'is too long to name its keeper (<function>--keeper)');
    }
    // The keeper owns every session with its prefix: runs that overlapped, or a lowered count, leave extras to trim.
    const env = keeperEnvironment({
      ...settings,
      functionName,
      qualifier,
      trim: true,
    });
    const timeout = keeperTimeout(settings.timeoutSeconds, keeper.schedule);
    const fc = await client();
    const deployed = await deployFunction(
      fc,
      {
        functionName: name,
        input: {
          description: `fc-sessions keeper of ${functionName}@${qualifier}`,
          runtime: 'nodejs20',
          handler: KEEPER_HANDLER,
          code: { zipFile: await keeperCode() },
          memorySize: keeper.memorySize ?? KEEPER_MEMORY_MB,
          timeout,
          environmentVariables: env,
          ...(keeper.role ? { role: keeper.role } : {}),
        },
        triggers: [
          {
            triggerName: KEEPER_TRIGGER_NAME,
            triggerType: 'timer',
            triggerConfig: { cronExpression: keeper.schedule, enable: keeper.enable ?? true, payload: '' },
          },
        ],
        ignored: [],
      },
      target.connect.region,
    );
    const trigger = deployed.triggers[0]?.action ?? 'unchanged';
    progress?.(
      `keeper ${name}: function ${deployed.action}, timer trigger ${KEEPER_TRIGGER_NAME} (${keeper.schedule}) ${trigger}`,
    );
    const answer = await fc.invoke(name, {
      body: JSON.stringify({ triggerName: 'deploy', payload: '' }),
      logType: 'None',
    });
    const deployment: KeeperDeployment = {
      functionName: name,
      schedule: keeper.schedule,
      timeoutSeconds: timeout,
      function: deployed.action,
      trigger,
      report: undefined,
    };
    if (answer.errorType) {
      deployment.error = functionError(answer.errorType, answer.text());
      warning?.(`keeper ${name} failed its first run: ${deployment.error.code}: ${deployment.error.message}`);
    } else deployment.report = answer.json() as KeepReport;
    const converged = deployment.report?.converged === true;
    return {
      data: deployment,
      text: '',
      exitCode: converged || settings.onFailure === 'warn' ? EXIT.ok : EXIT.incomplete,
    };
  },
);
