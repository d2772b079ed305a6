import { join } from 'node:path';
import { type KeepReport, keepSessions, ManifestStore, pruneSessions } from '@fc-sessions/plugin';
import { CHAT } from '../apps.js';
import type { FlowContext } from '../context.js';
import { short } from '../report.js';

export interface KeeperOutcome {
  /** The session the keeper made first, and the one that took its slot before its TTL ended. */
  readonly first: string | undefined;
  readonly renewal: string | undefined;
  /** Seconds left of the first session's TTL when its replacement was Active. */
  readonly secondsLeft: number | undefined;
  /** The status of a call on the first session after its slot moved (within the grace). */
  readonly callDuringGrace: number | undefined;
  readonly reports: readonly KeepReport[];
}

/** A session with a 4 s TTL, renewed 2 s before it ends; the old one is deleted 1 s after its slot moved. */
const TIMES = { sessionTTLInSeconds: 4, renewBeforeSeconds: 2, graceSeconds: 1, intervalSeconds: 1 } as const;
/** Reconciles the step waits at most for the renewal and the retirement. */
const MAX_RECONCILES = 8;

/**
 * The keeper on the chat: one session kept with a short TTL; before the TTL ends a new session takes
 * its slot while the old one still answers, and the old one is deleted after the grace.
 */
export async function keeperStep(ctx: FlowContext, workDir: string): Promise<KeeperOutcome> {
  const { client, checks, signal } = ctx;
  const fn = CHAT.functionName;
  checks.step(
    'keeper',
    `${fn}: 1 session, TTL ${TIMES.sessionTTLInSeconds} s, renewed ${TIMES.renewBeforeSeconds} s before it ends`,
  );
  const where = { manifestDir: join(workDir, 'kept-sessions'), region: 'cn-hangzhou' };
  const manifest = new ManifestStore(where.manifestDir, { ...where, functionName: fn, qualifier: 'LATEST' });
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const reports: KeepReport[] = [];
  let first: { id: string; endsAt: number } | undefined;
  let renewal: string | undefined;
  let secondsLeft: number | undefined;
  let callDuringGrace: number | undefined;
  try {
    const keeper = keepSessions(client, { ...where, ...TIMES, functionNames: [fn], count: 1 }, { signal: stop.signal });
    for await (const report of keeper) {
      reports.push(report);
      const { sessions } = await manifest.load();
      const active = sessions.find((s) => s.state === 'active');
      if (first === undefined && active) {
        first = {
          id: active.sessionId,
          endsAt: Date.parse(active.createdTime ?? '') + TIMES.sessionTTLInSeconds * 1000,
        };
      } else if (first && renewal === undefined && report.renewed === 1 && active) {
        renewal = active.sessionId;
        secondsLeft = (first.endsAt - Date.now()) / 1000;
        callDuringGrace = (await client.invoke(fn, { session: first.id, body: 'still here?', signal })).status;
      }
      if (report.retired > 0 || reports.length >= MAX_RECONCILES) stop.abort();
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await pruneSessions(client, { ...where, functionName: fn });
  }
  checks.expect(
    `session ${short(first?.id)} renewed ${secondsLeft?.toFixed(1)} s before its TTL ended: ${short(renewal)} took its slot`,
    first !== undefined && renewal !== undefined && renewal !== first.id && (secondsLeft ?? 0) > 0,
    () => JSON.stringify(reports.map(({ targets: _, ...counts }) => counts)),
  );
  checks.expect(
    `the old session still answered (${callDuringGrace}) after its slot moved, and was deleted after the ${TIMES.graceSeconds} s grace`,
    callDuringGrace === 200 && reports.some((r) => r.retired === 1),
    () => `call status ${callDuringGrace}; retired per reconcile ${reports.map((r) => r.retired).join(',')}`,
  );
  return { first: first?.id, renewal, secondsLeft, callDuringGrace, reports };
}
