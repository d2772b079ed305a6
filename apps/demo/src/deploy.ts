import { basename } from 'node:path';
import { SAMPLE_APPS, type SampleApp } from './apps.js';
import { runNodeCli, S_BIN } from './node-cli.js';

export interface AppDeploy {
  /** The app folder's name, e.g. `chat`. */
  readonly app: string;
  readonly functionName: string;
  readonly exitCode: number | null;
  /** What `s deploy` printed as the function's `action` (`created`, `updated`). */
  readonly action: string | undefined;
  /** The session ids `s deploy` printed (prefetched by the success-deploy plugin). */
  readonly sessions: readonly string[];
  readonly output: string;
  readonly durationMs: number;
}

export interface DeployOutcome {
  readonly apps: readonly AppDeploy[];
  /** Prefetched session ids per function. */
  readonly sessions: Readonly<Record<string, readonly string[]>>;
}

/** `s deploy` in every app folder, one after the other, as a user would run it. */
export async function deployApps(env: NodeJS.ProcessEnv, signal: AbortSignal | undefined): Promise<DeployOutcome> {
  const apps: AppDeploy[] = [];
  for (const app of SAMPLE_APPS) apps.push(await deployApp(app, env, signal));
  return { apps, sessions: Object.fromEntries(apps.map((app) => [app.functionName, app.sessions])) };
}

async function deployApp(app: SampleApp, env: NodeJS.ProcessEnv, signal: AbortSignal | undefined): Promise<AppDeploy> {
  const run = await runNodeCli(S_BIN, ['deploy'], { cwd: app.dir, env, signal });
  const result = run.output.slice(run.output.indexOf('Result for [deploy]'));
  return {
    app: basename(app.dir),
    functionName: app.functionName,
    exitCode: run.exitCode,
    action: /^action:\s+(\S+)/m.exec(result)?.[1],
    sessions: [...result.matchAll(/^\s+sessionId:\s+(\S+)\s*$/gm)].map((match) => match[1]!),
    output: run.output,
    durationMs: run.durationMs,
  };
}
