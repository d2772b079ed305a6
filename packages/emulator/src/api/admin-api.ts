import { ApiError } from '../errors.js';
import { parseFaultConfig } from '../faults/faults.js';
import type { ApiRequest } from '../http/api-request.js';
import { json, type Reply } from '../http/reply.js';
import { integer, jsonObject, parseFields } from '../model/validate.js';
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
      ...(withSecrets ? { instanceSecret: instance.secret } : {}),
    })),
  );
}

/**
 * `/_emulator/*`, unsigned (the emulator listens on 127.0.0.1):
 * `GET health`, `GET|PUT|DELETE faults`, `GET instances`, `POST sts` (mint temporary keys).
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
    default:
      throw new ApiError(404, 'NotFound', `the emulator has no admin route ${route}`);
  }
}
