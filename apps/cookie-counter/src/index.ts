import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSessionState, currentRequest } from '@fc-sessions/runtime';
import { serve } from '@fc-sessions/runtime/serve';

/** Visits per cookie session, kept in this instance's memory. */
const visits = createSessionState<{ count: number }>({
  idleTimeoutSeconds: 1800,
  maxSessions: 1000,
  create: () => ({ count: 0 }),
});

/**
 * Counts the visits of one browser. FC sets the `x-fc-cookie-session-id` cookie on the answer to a
 * request that has none, so the very first visit has no session yet; every later one carries the
 * cookie, lands on the same instance and counts here.
 */
function listener(req: IncomingMessage, res: ServerResponse): void {
  const { invocation, session } = currentRequest() ?? {};
  const state = visits.current();
  if (state) state.count += 1;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      path: req.url ?? '/',
      session: session?.id ?? null,
      sessionSource: session?.source ?? null,
      requestId: invocation?.requestId ?? null,
      instanceId: invocation?.instanceId ?? null,
      visits: state?.count ?? 0,
    }),
  );
}

await serve({ http: listener });
