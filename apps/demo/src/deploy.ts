import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Credentials } from '@fc-sessions/client';
import { SAMPLE_APPS, type SampleApp } from './apps.js';
import { runS } from './s-cli.js';

export interface DeployTarget {
  readonly endpoint: string;
  readonly accountId: string;
  readonly credentials: Credentials;
  readonly signal?: AbortSignal | undefined;
}

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

/**
 * `s deploy` in every app folder, as a user would run it against the emulator: `FCS_ENDPOINT`,
 * credentials in `s`'s env variables, `NODE_ENV=test` (no update checks, no telemetry) and a
 * throwaway `~/.s` and session manifest folder, removed again before this resolves.
 */
export async function deployApps(target: DeployTarget): Promise<DeployOutcome> {
  const home = await mkdtemp(join(tmpdir(), 'fcs-demo-s-'));
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'test',
      FORCE_COLOR: '0',
      serverless_devs_config_home: home,
      FCS_ENDPOINT: target.endpoint,
      FCS_MANIFEST_DIR: join(home, 'sessions'),
      AccountID: target.accountId,
      AccessKeyID: target.credentials.accessKeyId,
      AccessKeySecret: target.credentials.accessKeySecret,
    };
    delete env['SecurityToken'];
    const apps: AppDeploy[] = [];
    for (const app of SAMPLE_APPS) apps.push(await deployApp(app, env, target.signal));
    return {
      apps,
      sessions: Object.fromEntries(apps.map((app) => [app.functionName, app.sessions])),
    };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

async function deployApp(app: SampleApp, env: NodeJS.ProcessEnv, signal: AbortSignal | undefined): Promise<AppDeploy> {
  const run = await runS(['deploy'], { cwd: app.dir, env, signal });
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
