import { SESSION_COOKIE } from '@fc-sessions/client';
import { COOKIE_COUNTER } from '../apps.js';
import type { FlowContext } from '../context.js';
import { short } from '../report.js';

/** What apps/cookie-counter answers. */
export interface CookieReply {
  readonly session: string | null;
  readonly sessionSource: string | null;
  readonly requestId: string | null;
  readonly instanceId: string | null;
  readonly visits: number;
}

export interface Visit {
  /** Whether the request carried the session cookie. */
  readonly withCookie: boolean;
  readonly status: number;
  /** FC's `Set-Cookie` for the session, when it made one. */
  readonly setCookie: string | undefined;
  readonly instanceId: string | null;
  readonly reply: CookieReply | undefined;
}

export interface CookieOutcome {
  readonly sessionId: string | undefined;
  readonly visits: readonly Visit[];
  /** A visit with a session deploy prefetched as the cookie. */
  readonly warm: Visit | undefined;
}

const COOKIE_PATTERN = new RegExp(`^${SESSION_COOKIE}=([^;]+)`);

async function visit(ctx: FlowContext, sessionId: string | undefined): Promise<Visit> {
  const response = await fetch(`${ctx.endpoint}/http/${COOKIE_COUNTER.functionName}/`, {
    headers: sessionId ? { cookie: `${SESSION_COOKIE}=${sessionId}` } : {},
    signal: ctx.signal ?? null,
  });
  const text = await response.text();
  let reply: CookieReply | undefined;
  try {
    reply = JSON.parse(text) as CookieReply;
  } catch {
    reply = undefined;
  }
  return {
    withCookie: sessionId !== undefined,
    status: response.status,
    setCookie: response.headers.getSetCookie().find((cookie) => COOKIE_PATTERN.test(cookie)),
    instanceId: response.headers.get('x-fc-instance-id'),
    reply,
  };
}

/**
 * A browser's visits through the HTTP trigger: FC's cookie on the first answer, then one instance
 * and one count; then a browser handed a prefetched session id as its cookie.
 */
export async function cookieStep(ctx: FlowContext, prefetched: readonly string[]): Promise<CookieOutcome> {
  const { checks } = ctx;
  checks.step('cookie-counter', `GENERATED_COOKIE affinity, HTTP trigger /http/${COOKIE_COUNTER.functionName}/`);
  const first = await visit(ctx, undefined);
  const sessionId = first.setCookie ? COOKIE_PATTERN.exec(first.setCookie)?.[1] : undefined;
  checks.expect(
    `first visit: FC answers Set-Cookie: ${first.setCookie ? first.setCookie.replace(sessionId ?? '', short(sessionId)) : '(none)'}`,
    first.status === 200 && sessionId !== undefined,
    () => `status ${first.status}, set-cookie ${first.setCookie ?? 'missing'}`,
  );
  if (!sessionId) return { sessionId, visits: [first], warm: undefined };

  const visits = [first, await visit(ctx, sessionId), await visit(ctx, sessionId)];
  const later = visits.slice(1);
  const counts = later.map((v) => v.reply?.visits);
  checks.expect(
    `with the cookie: the function reads session ${short(sessionId)} and counts visits ${counts.join(', ')}`,
    later.every((v) => v.reply?.session === sessionId && v.reply.sessionSource === 'cookie') &&
      counts.join() === '1,2' &&
      later.every((v) => v.setCookie === undefined),
    () => JSON.stringify(later.map((v) => ({ setCookie: v.setCookie, reply: v.reply }))),
  );
  const instances = [...new Set(visits.flatMap((v) => [v.instanceId, v.reply?.instanceId]))];
  checks.expect(
    `all ${visits.length} visits on instance ${short(instances[0])}`,
    instances.length === 1 && Boolean(instances[0]),
    () => `served by ${instances.join(', ')}`,
  );
  const warmId = prefetched[0];
  const warmInstance = warmId
    ? (await ctx.client.getSession(COOKIE_COUNTER.functionName, warmId, { signal: ctx.signal })).containerId
    : undefined;
  const warm = warmId ? await visit(ctx, warmId) : undefined;
  checks.expect(
    `a browser given the prefetched session ${short(warmId)} as its cookie lands on its warm instance ${short(warmInstance)}`,
    warm?.reply?.session === warmId &&
      warmId !== sessionId &&
      warm?.instanceId === warmInstance &&
      warm?.reply?.instanceId === warmInstance,
    () => `prefetched ${warmId ?? 'none'} on ${warmInstance}; visit ${JSON.stringify(warm)}`,
  );
  return { sessionId, visits, warm };
}
