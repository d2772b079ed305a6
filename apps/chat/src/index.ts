import { createSessionState, currentRequest, isKeepAlive, logger } from '@fc-sessions/runtime';
import { serve } from '@fc-sessions/runtime/serve';

/** Longest message kept, in characters. */
const MAX_MESSAGE = 500;
/** Messages kept per session (the oldest go first). */
const HISTORY = 20;

interface Chat {
  count: number;
  readonly messages: string[];
}

/** One chat per session, kept in this instance's memory; idle as long as the function's session idle timeout. */
const chats = createSessionState<Chat>({
  idleTimeoutSeconds: 1800,
  maxSessions: 1000,
  create: () => ({ count: 0, messages: [] }),
});

interface ChatReply {
  readonly session: string | null;
  readonly sessionSource: string | null;
  readonly requestId: string | null;
  readonly instanceId: string | null;
  /** Messages this session has sent to this instance. */
  readonly count: number;
  readonly messages: readonly string[];
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/**
 * `POST` with a text body adds a message to this session's chat; `GET` (or an empty body) reads it.
 * Event invocations arrive as `POST /invoke` with the event as the body, so both doors behave alike.
 */
async function handle(request: Request): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'POST') {
    return json(405, { error: `method ${request.method} is not allowed: use GET or POST` });
  }
  const text = request.method === 'POST' ? (await request.text()).trim() : '';
  if (isKeepAlive(request, text)) {
    // The session keeper (`fcs keep --keep-alive invoke`): the call itself reset the session's idle clock.
    chats.current();
    return new Response(null, { status: 204 });
  }
  if (text.length > MAX_MESSAGE) {
    return json(400, { error: `message must be at most ${MAX_MESSAGE} characters (got ${text.length})` });
  }
  const { invocation, session } = currentRequest() ?? {};
  const chat = chats.current();
  if (chat && text) {
    chat.count += 1;
    chat.messages.push(text);
    if (chat.messages.length > HISTORY) chat.messages.shift();
    logger.info('session %s message %d on instance %s', session?.id, chat.count, invocation?.instanceId);
  }
  const reply: ChatReply = {
    session: session?.id ?? null,
    sessionSource: session?.source ?? null,
    requestId: invocation?.requestId ?? null,
    instanceId: invocation?.instanceId ?? null,
    count: chat?.count ?? 0,
    messages: chat?.messages ?? [],
  };
  return json(200, reply);
}

await serve({ fetch: handle });
