import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FcClient } from '@fc-sessions/client';
import { startEmulator } from '@fc-sessions/emulator';
import { CHAT, COOKIE_COUNTER } from './apps.js';
import { Cleanup } from './cleanup.js';
import type { FlowContext } from './context.js';
import { type DeployOutcome, deployApps } from './deploy.js';
import { Logbook } from './logbook.js';
import { type Check, Checklist, type Reporter, silentReporter } from './report.js';
import { type AliasesOutcome, aliasesStep } from './steps/aliases.js';
import { type ChatOutcome, chatStep } from './steps/chat.js';
import { type CookieOutcome, cookieStep } from './steps/cookie.js';
import { type FrameworkOutcome, frameworkStep } from './steps/framework.js';
import { type KeeperOutcome, keeperStep } from './steps/keeper.js';
import { type WorkerOutcome, workerStep } from './steps/worker.js';
import { toolEnv } from './tools.js';

export interface FlowOptions {
  /** Where progress goes; default nowhere. */
  readonly reporter?: Reporter;
  /** Stops the flow; everything it started is still stopped and removed. */
  readonly signal?: AbortSignal;
  /** Leave the emulator running at the end (for a look at its dashboard); `keptEmulator.stop()` stops it. */
  readonly keepEmulator?: boolean;
}

/** Everything the flow saw, for the demo's output and the end-to-end tests. */
export interface FlowResult {
  /** Every expectation held and everything was cleaned up. */
  readonly ok: boolean;
  readonly endpoint: string | undefined;
  /** The emulator's dashboard (it holds the admin token). */
  readonly dashboardUrl: string | undefined;
  /** With `keepEmulator`: the emulator still running, and how to stop it. */
  readonly keptEmulator: { stop(): Promise<void> } | undefined;
  readonly checks: readonly Check[];
  readonly deploy: DeployOutcome | undefined;
  readonly chat: ChatOutcome | undefined;
  readonly framework: FrameworkOutcome | undefined;
  readonly cookie: CookieOutcome | undefined;
  readonly worker: WorkerOutcome | undefined;
  readonly aliases: AliasesOutcome | undefined;
  readonly keeper: KeeperOutcome | undefined;
  /** What could not be stopped or removed at the end. */
  readonly cleanupFailures: readonly string[];
}

/**
 * The whole flow on an embedded emulator: start it, deploy the sample apps (sessions prefetched),
 * then the chat, cookie, worker and versions/aliases steps. Whatever happens, the emulator, its
 * instances and every temp dir are gone when the promise settles (the emulator stays with
 * `keepEmulator`, unless `signal` aborted the flow). Rejects only when `signal` aborts it.
 */
export async function runFlow(options: FlowOptions = {}): Promise<FlowResult> {
  const { signal } = options;
  const checks = new Checklist(options.reporter ?? silentReporter);
  const cleanup = new Cleanup();
  const logbook = new Logbook();
  let endpoint: string | undefined;
  let dashboardUrl: string | undefined;
  let keptEmulator: FlowResult['keptEmulator'];
  let deploy: DeployOutcome | undefined;
  let chat: ChatOutcome | undefined;
  let framework: FrameworkOutcome | undefined;
  let cookie: CookieOutcome | undefined;
  let worker: WorkerOutcome | undefined;
  let aliases: AliasesOutcome | undefined;
  let keeper: KeeperOutcome | undefined;
  let cleanupFailures: string[] = [];

  /** Runs one step; an unexpected error fails it (and the run) without stopping the others. */
  async function step<T>(name: string, run: () => Promise<T>): Promise<T | undefined> {
    signal?.throwIfAborted();
    try {
      return await run();
    } catch (error) {
      signal?.throwIfAborted();
      checks.expect(`${name} ran to the end`, false, () => (error instanceof Error ? error.message : String(error)));
      return undefined;
    }
  }

  try {
    const emulator = await step('emulator', async () => {
      const started = await startEmulator({ stopGraceMs: 1000, onInstanceLog: logbook.add });
      if (options.keepEmulator) {
        keptEmulator = { stop: () => started.stop() };
        cleanup.add('emulator', () => (signal?.aborted ? started.stop() : undefined));
      } else cleanup.add('emulator', () => started.stop());
      return started;
    });
    if (emulator) {
      endpoint = emulator.endpoint;
      dashboardUrl = emulator.dashboardUrl;
      checks.step('emulator', `${emulator.endpoint} (temp data dir)`);
      const client = new FcClient({
        endpoint: emulator.endpoint,
        accountId: emulator.accountId,
        region: emulator.region,
        credentials: emulator.credentials,
      });
      cleanup.add('client', () => client.close());
      const ctx: FlowContext = { client, endpoint: emulator.endpoint, checks, logbook, signal };

      const workDir = await mkdtemp(join(tmpdir(), 'fcs-demo-'));
      cleanup.add('temp dir', () => rm(workDir, { recursive: true, force: true }));
      const env = toolEnv({
        endpoint: emulator.endpoint,
        accountId: emulator.accountId,
        credentials: emulator.credentials,
        workDir,
      });

      checks.step('deploy', 's deploy in each app folder: @fc-sessions/plugin component, prefetch in success-deploy');
      deploy = await step('deploy', () => deployApps(env, signal));
      const deployed = deploy?.apps.map((app) =>
        checks.expect(
          `apps/${app.app}: ${app.functionName} ${app.action ?? 'not deployed'}${prefetchNote(app.sessions)} in ${(app.durationMs / 1000).toFixed(1)} s`,
          app.exitCode === 0 && app.action !== undefined,
          () => `s deploy exited ${app.exitCode}: ${errorSummary(app.output)}`,
        ),
      );
      if (deploy && deployed?.every(Boolean)) {
        const sessions = deploy.sessions;
        chat = await step('chat', () => chatStep(ctx, sessions[CHAT.functionName] ?? []));
        framework = await step('serverless.yml', () => frameworkStep(ctx, env, workDir, chat?.sessions ?? []));
        cookie = await step('cookie-counter', () => cookieStep(ctx, sessions[COOKIE_COUNTER.functionName] ?? []));
        worker = await step('event-worker', () => workerStep(ctx));
        aliases = await step('versions and aliases', () => aliasesStep(ctx, workDir, () => emulator.instances()));
        keeper = await step('keeper', () => keeperStep(ctx, workDir));
      }
    }
  } finally {
    cleanupFailures = await cleanup.run();
  }
  return {
    ok: checks.ok && cleanupFailures.length === 0,
    endpoint,
    dashboardUrl,
    keptEmulator,
    checks: checks.checks,
    deploy,
    chat,
    framework,
    cookie,
    worker,
    aliases,
    keeper,
    cleanupFailures,
  };
}

function prefetchNote(sessions: readonly string[]): string {
  if (sessions.length === 0) return '';
  return `, ${sessions.length} session${sessions.length === 1 ? '' : 's'} prefetched`;
}

/** The message of `s`'s error box, else the last lines it printed. */
function errorSummary(output: string): string {
  const message = /Error Message:\n([\s\S]*?)\n\s*\n/.exec(output)?.[1];
  return (message ?? output.trim().split('\n').slice(-5).join('\n')).trim();
}
