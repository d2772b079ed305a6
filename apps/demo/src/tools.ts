import { join } from 'node:path';
import type { Credentials } from '@fc-sessions/client';

/** Where the flow's tools (`s`, `osls`) send their calls and keep their files. */
export interface ToolTarget {
  readonly endpoint: string;
  readonly accountId: string;
  readonly credentials: Credentials;
  /** The flow's temp dir: `s`'s home and the session manifests live under it. */
  readonly workDir: string;
}

/**
 * The environment a user would set to run `s` and `osls` against the emulator: `FCS_ENDPOINT`,
 * the keys in the variables `s` reads (the plugin reads them too), `NODE_ENV=test` (no update
 * checks, no telemetry), a throwaway `~/.s`, and the manifest folder both s.yaml and
 * serverless.yml take from `FCS_MANIFEST_DIR`.
 */
export function toolEnv(target: ToolTarget): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    FORCE_COLOR: '0',
    serverless_devs_config_home: join(target.workDir, 's-home'),
    FCS_ENDPOINT: target.endpoint,
    FCS_MANIFEST_DIR: join(target.workDir, 'sessions'),
    AccountID: target.accountId,
    AccessKeyID: target.credentials.accessKeyId,
    AccessKeySecret: target.credentials.accessKeySecret,
  };
  delete env['SecurityToken'];
  return env;
}
