import { isoSeconds } from '../ids.js';
import type { SessionRecord } from '../state/records.js';

/** A session as FC's GetSession returns it. */
export function sessionView(record: SessionRecord): Record<string, unknown> {
  return {
    sessionId: record.sessionId,
    functionName: record.functionName,
    qualifier: record.qualifier,
    sessionAffinityType: record.sessionAffinityType,
    sessionTTLInSeconds: record.sessionTTLInSeconds,
    sessionIdleTimeoutInSeconds: record.sessionIdleTimeoutInSeconds,
    disableSessionIdReuse: record.disableSessionIdReuse,
    sessionStatus: record.status,
    containerId: record.containerId,
    createdTime: isoSeconds(record.createdMs),
    lastModifiedTime: isoSeconds(record.lastModifiedMs),
    ...record.mounts,
  };
}

/** When a session stops being usable: its TTL since creation or its idle timeout since the last request. */
export function expiresAt(record: SessionRecord): number {
  const byTtl = record.createdMs + record.sessionTTLInSeconds * 1000;
  if (record.sessionIdleTimeoutInSeconds <= 0 || record.status === 'Paused') return byTtl;
  return Math.min(byTtl, record.lastActivityMs + record.sessionIdleTimeoutInSeconds * 1000);
}
