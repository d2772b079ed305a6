import { join } from 'node:path';
import { FcError } from '@fc-sessions/client';
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
  /** The first session as GetSession saw it after its slot moved (within the grace): `Active`, or the error code. */
  readonly statusDuringGrace: string | undefined;
  /** The status of a call on the first session after its slot moved (within the grace). */
  readonly callDuringGrace: number | undefined;
  /** A call on the first session once the keeper deleted it: its status, or the error code (ids are not reused). */
  readonly callAfterRetirement: string | undefined;
  readonly reports: readonly KeepReport[];
}

/**
 * A session with a 4 s TTL, renewed 2 s before it ends; the old one is deleted 1 s after its slot
 * moved. Its id cannot be used again, so a call naming it once it is deleted fails (rather than
 * making it again, as FC does for an unknown id): the call during the grace shows it was not deleted.
 */
const TIMES = {
  sessionTTLInSeconds: 4,
  renewBeforeSeconds: 2,
  graceSeconds: 1,
  intervalSeconds: 1,
  disableSessionIdReuse: true,
} as const;
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
  let statusDuringGrace: string | undefined;
  let callDuringGrace: number | undefined;
  let callAfterRetirement: string | undefined;
  const statusOf = (error: unknown) => (error instanceof FcError ? error.code : String(error));
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
        statusDuringGrace = await client.getSession(fn, first.id, { signal }).then((s) => s.sessionStatus, statusOf);
        callDuringGrace = await client.invoke(fn, { session: first.id, body: 'still here?', signal }).then(
          (answer) => answer.status,
          (error: unknown) => (error instanceof FcError ? error.status : undefined),
        );
      }
      if (report.retired > 0 || reports.length >= MAX_RECONCILES) stop.abort();
    }
    if (first && reports.some((r) => r.retired > 0)) {
      callAfterRetirement = await client
        .invoke(fn, { session: first.id, body: 'gone?', signal })
        .then((answer) => String(answer.status), statusOf);
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
    `the old session was still ${statusDuringGrace} and answered (${callDuringGrace}) after its slot moved, and was deleted after the ${TIMES.graceSeconds} s grace (a call then: ${callAfterRetirement})`,
    statusDuringGrace === 'Active' &&
      callDuringGrace === 200 &&
      reports.some((r) => r.retired === 1) &&
      callAfterRetirement !== undefined &&
      callAfterRetirement !== '200',
    () =>
      `status ${statusDuringGrace}, call status ${callDuringGrace}, after retirement ${callAfterRetirement}; retired per reconcile ${reports.map((r) => r.retired).join(',')}`,
  );
  return { first: first?.id, renewal, secondsLeft, statusDuringGrace, callDuringGrace, callAfterRetirement, reports };
}
