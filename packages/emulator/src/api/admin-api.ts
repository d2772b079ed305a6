import { ApiError } from '../errors.js';
import { parseFaultConfig } from '../faults/faults.js';
import { type ApiRequest, decodePathSegment, header, queryValue } from '../http/api-request.js';
import { json, type Reply } from '../http/reply.js';
import { integer, jsonObject, parseFields } from '../model/validate.js';
import { sessionView } from '../sessions/session-view.js';
import { dashboardFile } from '../ui/assets.js';
import type { Services } from './services.js';

/** What `GET /_emulator/instances` lists for each running instance. */
export interface InstanceInfo {
  readonly instanceId: string;
  readonly functionName: string;
  /** LATEST or the published version the instance runs. */
  readonly versionId: string;
  readonly state: string;
  readonly pid: number | undefined;
  /** The instance's own HTTP server on 127.0.0.1 (benchmarks call it directly). */
  readonly port: number;
  readonly sessions: string[];
  readonly activeRequests: number;
  readonly queuedRequests: number;
  readonly maxMemoryMb: number;
  readonly startedTime: string;
  readonly requestsServed: number;
  /** Only in `GET /_emulator/instances`: the `x-fcs-instance-secret` a direct request to `port` needs (benchmarks). */
  readonly instanceSecret?: string;
}

export function listInstances(s: Services, { withSecrets = false } = {}): InstanceInfo[] {
  return [...s.functions.all(), ...s.versions.all()].flatMap((entry) =>
    [...entry.pool.instances].map((instance) => ({
      instanceId: instance.id,
      functionName: entry.record.functionName,
      versionId: instance.spec.versionId ?? 'LATEST',
      state: instance.state,
      pid: instance.pid,
      port: instance.port,
      sessions: [...instance.sessions].map((key) => key.slice(key.indexOf('/') + 1)),
      activeRequests: instance.active,
      queuedRequests: instance.queued,
      maxMemoryMb: Math.round((instance.maxRssBytes / 1048576) * 100) / 100,
      startedTime: new Date(instance.startedMs).toISOString(),
      requestsServed: instance.served,
      ...(withSecrets ? { instanceSecret: instance.secret } : {}),
    })),
  );
}

/**
 * `/_emulator/*`, behind the admin token: `GET health`, `GET|PUT|DELETE faults`, `GET instances`,
 * `POST sts` (mint temporary keys), the dashboard (`GET ui`, its files, `GET events`) and its
 * session controls.
 */
export async function admin(s: Services, request: ApiRequest, what: string): Promise<Reply> {
  const route = `${request.method} ${what}`;
  switch (route) {
    case 'GET health':
      return json(200, {
        status: 'ok',
        endpoint: s.endpoint(),
        accountId: s.options.accountId,
        region: s.options.region,
      });
    case 'GET faults':
      return json(200, s.faults.current);
    case 'PUT faults':
    case 'POST faults':
      s.faults.configure(parseFaultConfig(jsonObject(request.body)));
      return json(200, s.faults.current);
    case 'DELETE faults':
      s.faults.configure({ rules: [] });
      return json(200, s.faults.current);
    case 'GET instances':
      return json(200, { instances: listInstances(s, { withSecrets: true }) });
    case 'POST sts': {
      const { durationSeconds } = parseFields({ durationSeconds: integer(60, 43_200) }, jsonObject(request.body));
      return json(200, s.keys.mint(durationSeconds ?? 3600));
    }
    case 'GET ui':
      if (queryValue(request, 'token') !== null) {
        return { status: 303, headers: { location: '/_emulator/ui', 'set-cookie': s.adminToken.cookie() } };
      }
      return dashboardFile('index.html', header(request, 'accept-encoding'));
    case 'GET ui/app.js':
      return dashboardFile('app.js', header(request, 'accept-encoding'));
    case 'GET ui/app.css':
      return dashboardFile('app.css', header(request, 'accept-encoding'));
    case 'GET events':
      return {
        status: 200,
        headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' },
        stream: (res) => s.live.subscribe(res),
      };
    default:
      return sessionControl(s, request, what) ?? notFound(route);
  }
}

const notFound = (route: string): never => {
  throw new ApiError(404, 'NotFound', `the emulator has no admin route ${route}`);
};

/** `PUT sessions/{fn}/{id}/pause|resume`, `DELETE sessions/{fn}/{id}`: the dashboard's session buttons. */
function sessionControl(s: Services, request: ApiRequest, what: string): Promise<Reply> | undefined {
  const parts = what.split('/');
  if (parts[0] !== 'sessions' || parts.length < 3 || parts.length > 4) return undefined;
  const functionName = decodePathSegment(parts[1]!);
  const sessionId = decodePathSegment(parts[2]!);
  const verb = parts[3];
  if (request.method === 'DELETE' && verb === undefined) {
    return s.sessions
      .delete(functionName, sessionId)
      .then(() => json(200, { deleted: `${functionName}/${sessionId}` }));
  }
  if (request.method === 'PUT' && (verb === 'pause' || verb === 'resume')) {
    return s.sessions
      .setPaused(functionName, sessionId, verb === 'pause')
      .then((record) => json(200, sessionView(record)));
  }
  return undefined;
}
