import { listInstances } from '../api/admin-api.js';
import type { Services } from '../api/services.js';
import type { FunctionEntry } from '../functions/function-registry.js';
import { functionView } from '../functions/function-view.js';
import { expiresAt, sessionView } from '../sessions/session-view.js';

/**
 * A function as the dashboard shows it: what GetFunction answers (the page renders every field it
 * finds, so fields the registry adds later, such as versions and aliases, appear without a change
 * to the page), with environment variable values hidden.
 */
function functionPanel(s: Services, entry: FunctionEntry): Record<string, unknown> {
  const view = functionView(entry.record, s.options.region, s.options.accountId);
  const env = view['environmentVariables'];
  if (env && typeof env === 'object') view['environmentVariables'] = Object.keys(env);
  view['versions'] = (entry.record.versions ?? []).map((version) => version.versionId);
  view['aliases'] = (entry.record.aliases ?? []).map((alias) => {
    const weights = Object.entries(alias.additionalVersionWeight).map(([id, weight]) => ` + ${id} (${weight})`);
    return `${alias.aliasName} -> ${alias.versionId}${weights.join('')}`;
  });
  return view;
}

/** Everything the dashboard shows besides the invocation stream. Times are epoch milliseconds. */
export function dashboardSnapshot(s: Services) {
  const instances = listInstances(s);
  const boundTo = new Map<string, string>();
  for (const instance of instances) {
    for (const id of instance.sessions) boundTo.set(`${instance.functionName}/${id}`, instance.instanceId);
  }
  return {
    endpoint: s.endpoint(),
    accountId: s.options.accountId,
    region: s.options.region,
    functions: s.functions.all().map((entry) => functionPanel(s, entry)),
    instances,
    sessions: s.sessions.snapshot().sessions.map((record) => ({
      ...sessionView(record),
      boundInstance: boundTo.get(`${record.functionName}/${record.sessionId}`) ?? null,
      ttlEndsMs: record.createdMs + record.sessionTTLInSeconds * 1000,
      idleEndsMs:
        record.sessionIdleTimeoutInSeconds > 0 && record.status === 'Active'
          ? record.lastActivityMs + record.sessionIdleTimeoutInSeconds * 1000
          : null,
      expiresMs: expiresAt(record),
      prefetched: 'unknown',
    })),
    faults: s.faults.current,
  };
}
