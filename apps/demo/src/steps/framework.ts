import { copyFile, mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CHAT } from '../apps.js';
import type { FlowContext } from '../context.js';
import { OSLS_BIN, runNodeCli } from '../node-cli.js';
import { short } from '../report.js';
import type { ChatReply, ChatSession } from './chat.js';

export interface FrameworkOutcome {
  readonly prefetch: { readonly exitCode: number | null; readonly summary: string | undefined };
  readonly invoke: {
    readonly exitCode: number | null;
    readonly sessionId: string | undefined;
    readonly reply: ChatReply | undefined;
  };
}

const MESSAGE = 'hello from osls';

function parseReply(output: string): ChatReply | undefined {
  const text = /Invoke Result:\n(.+)/.exec(output)?.[1];
  try {
    return text ? (JSON.parse(text) as ChatReply) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * apps/chat/serverless.yml with osls and @fc-sessions/plugin/serverless: `fcs prefetch` finds the
 * sessions `s deploy` made (same manifest folder) and `fcs invoke` lands in one of them, whose
 * history the chat step left. osls runs on a copy of the service folder in the flow's temp dir, so
 * its `.serverless/` and manifests never land in apps/.
 */
export async function frameworkStep(
  ctx: FlowContext,
  env: NodeJS.ProcessEnv,
  workDir: string,
  chat: readonly ChatSession[],
): Promise<FrameworkOutcome> {
  const { checks, signal } = ctx;
  checks.step('serverless.yml', 'apps/chat with osls and @fc-sessions/plugin/serverless');
  const service = join(workDir, 'chat-service');
  await mkdir(service);
  await copyFile(join(CHAT.dir, 'serverless.yml'), join(service, 'serverless.yml'));
  await symlink(join(CHAT.dir, 'node_modules'), join(service, 'node_modules'), 'dir');

  const prefetch = await runNodeCli(OSLS_BIN, ['fcs', 'prefetch'], { cwd: service, env, signal });
  const summary = /^prefetch (\S+: .*)$/m.exec(prefetch.output)?.[1];
  checks.expect(
    `osls fcs prefetch: ${summary ?? 'no summary'}`,
    prefetch.exitCode === 0 && /2\/2 active \(0 created, 2 reused, 0 failed\)/.test(summary ?? ''),
    () => `exit ${prefetch.exitCode}: ${prefetch.output.trim().split('\n').slice(-5).join('\n')}`,
  );

  const invoke = await runNodeCli(OSLS_BIN, ['fcs', 'invoke', '-f', 'chat', '-d', MESSAGE], {
    cwd: service,
    env,
    signal,
  });
  const sessionId = /^SessionId: (\S+)/m.exec(invoke.output)?.[1];
  const reply = parseReply(invoke.output);
  const before = chat.find((session) => session.id === sessionId)?.turns.at(-1)?.reply.messages ?? [];
  checks.expect(
    `osls fcs invoke -f chat: into prefetched session ${short(sessionId)}, which still has "${before.join(' / ')}"`,
    invoke.exitCode === 0 &&
      reply?.session === sessionId &&
      before.length > 0 &&
      JSON.stringify(reply?.messages) === JSON.stringify([...before, MESSAGE]),
    () => `exit ${invoke.exitCode}, session ${sessionId}: ${invoke.output.trim().split('\n').slice(-8).join('\n')}`,
  );
  return {
    prefetch: { exitCode: prefetch.exitCode, summary },
    invoke: { exitCode: invoke.exitCode, sessionId, reply },
  };
}
