import { CHAT } from '../apps.js';
import type { FlowContext } from '../context.js';
import { short } from '../report.js';

/** What apps/chat answers. */
export interface ChatReply {
  readonly session: string | null;
  readonly sessionSource: string | null;
  readonly requestId: string | null;
  readonly instanceId: string | null;
  readonly count: number;
  readonly messages: readonly string[];
}

export interface ChatTurn {
  readonly sent: string;
  /** What FC said: the request id and the instance that served it. */
  readonly requestId: string | undefined;
  readonly instanceId: string | undefined;
  /** What the function said it read. */
  readonly reply: ChatReply;
}

export interface ChatSession {
  readonly id: string;
  /** The instance CreateSession bound the session to (`containerId`). */
  readonly boundInstance: string | undefined;
  readonly turns: readonly ChatTurn[];
}

export interface ChatOutcome {
  readonly sessions: readonly ChatSession[];
}

const SCRIPT: ReadonlyArray<readonly [0 | 1, string]> = [
  [0, 'hi'],
  [1, 'hello'],
  [0, 'how are you?'],
];

/** Talks to two prefetched sessions in turn and checks that each stays on its instance with its own history. */
export async function chatStep(ctx: FlowContext, prefetched: readonly string[]): Promise<ChatOutcome> {
  const { client, checks, signal } = ctx;
  checks.step('chat', `HEADER_FIELD affinity on header ${CHAT.header}`);
  if (prefetched.length < 2) {
    checks.expect('deploy prefetched 2 sessions', false, () => `got ${prefetched.length}`);
    return { sessions: [] };
  }
  const ids = prefetched.slice(0, 2);
  const bound = await Promise.all(
    ids.map(async (id) => (await client.getSession(CHAT.functionName, id, { signal })).containerId),
  );
  const turns: ChatTurn[][] = [[], []];
  for (const [who, text] of SCRIPT) {
    const result = await client.invoke(CHAT.functionName, { session: ids[who]!, body: text, signal });
    turns[who]!.push({
      sent: text,
      requestId: result.requestId,
      instanceId: result.instanceId,
      reply: result.json<ChatReply>(),
    });
  }
  const sessions = ids.map((id, n) => ({ id, boundInstance: bound[n], turns: turns[n]! }));

  for (const session of sessions) {
    const instances = [...new Set(session.turns.flatMap((turn) => [turn.instanceId, turn.reply.instanceId]))];
    checks.expect(
      `session ${short(session.id)}: ${session.turns.length === 1 ? '1 request' : `${session.turns.length} requests, all`} on instance ${short(session.boundInstance)} where deploy prefetched it`,
      session.boundInstance !== undefined && instances.length === 1 && instances[0] === session.boundInstance,
      () => `bound to ${session.boundInstance}, served by ${instances.join(', ')}`,
    );
  }
  const histories = sessions.map((session) => session.turns.at(-1)?.reply.messages.join(' / ') ?? '');
  checks.expect(
    `each session keeps its own history on its own instance: "${histories[0]}" and "${histories[1]}"`,
    histories[0] === 'hi / how are you?' && histories[1] === 'hello' && bound[0] !== bound[1],
    () => `histories ${JSON.stringify(histories)} on instances ${bound.join(', ')}`,
  );
  const all = sessions.flatMap((session) => session.turns.map((turn) => ({ id: session.id, turn })));
  const mismatch = all.find(
    ({ id, turn }) =>
      turn.reply.session !== id ||
      turn.reply.sessionSource !== 'header' ||
      turn.reply.requestId !== turn.requestId ||
      turn.reply.instanceId !== turn.instanceId,
  );
  checks.expect(
    'the function read session, request and instance id through @fc-sessions/runtime',
    mismatch === undefined,
    () =>
      `sent session ${mismatch?.id}, FC request ${mismatch?.turn.requestId} on ${mismatch?.turn.instanceId}; the function read ${JSON.stringify(mismatch?.turn.reply)}`,
  );
  return { sessions };
}
