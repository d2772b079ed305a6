import {
  type Credentials,
  type CredentialsProvider,
  defaultCredentialsChain,
  ENDPOINT_ENV,
  FcClient,
  FcError,
  protectCredentials,
  resolveRegion,
} from '@fc-sessions/client';
import { resolveSettings } from '../settings/resolve.js';

type Env = Readonly<Record<string, string | undefined>>;

/** How a front door reaches FC; every field is optional and falls back to the client's own defaults. */
export interface ConnectOptions {
  /** e.g. `http://127.0.0.1:9100`; default `$FCS_ENDPOINT`, else FC's endpoint for region and account. */
  endpoint?: string | undefined;
  region?: string | undefined;
  accountId?: string | undefined;
  /** Keys (e.g. from Serverless Devs' `getCredential()`), or a provider; default the client's chain. */
  credentials?: Credentials | CredentialsProvider | undefined;
  /** A Serverless Devs alias from `~/.s/access.yaml` for the chain. */
  access?: string | undefined;
  /** Per-call timeout in seconds, invocations included (`SETTINGS.callTimeoutSeconds`). */
  timeoutSeconds?: number | undefined;
  /** Attempts per call that is safe to repeat, counting the first (`SETTINGS.maxAttempts`); default the client's (3). */
  maxAttempts?: number | undefined;
  env?: Env | undefined;
  home?: string | undefined;
}

/** The emulator's documented keys (public, fake): used only for a loopback endpoint when nothing else is configured. */
const EMULATOR_KEYS = {
  accessKeyId: 'fcsEmulatorAccessKeyId0001',
  accessKeySecret: 'fcsEmulatorAccessKeySecretDoNotUseInProd0001',
};

/** The endpoint a client will use when one is set explicitly or through `FCS_ENDPOINT`. */
export function explicitEndpoint(options: Pick<ConnectOptions, 'endpoint' | 'env'>): string | undefined {
  return options.endpoint || (options.env ?? process.env)[ENDPOINT_ENV] || undefined;
}

function isLoopback(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  try {
    const host = new URL(endpoint.includes('://') ? endpoint : `http://${endpoint}`).hostname;
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
  } catch {
    return false;
  }
}

/** Explicit keys; else, for a loopback endpoint, the chain with the emulator's keys as last resort; else undefined (the client's own chain). */
function credentialsFor(options: ConnectOptions): Credentials | CredentialsProvider | undefined {
  if (options.credentials) return options.credentials;
  if (options.access || !isLoopback(explicitEndpoint(options))) return undefined;
  const chain = defaultCredentialsChain({ env: options.env, home: options.home });
  let found: Promise<Credentials> | undefined;
  return () => {
    found ??= chain().catch((error: unknown) => {
      if (error instanceof FcError && error.code === 'CredentialsNotFound') return protectCredentials(EMULATOR_KEYS);
      throw error;
    });
    return found;
  };
}

/** Checks the connection options (naming the field) and makes a client; nothing is sent yet. */
export function createClient(options: ConnectOptions = {}): FcClient {
  const { callTimeoutSeconds: timeoutSeconds, maxAttempts } = resolveSettings(
    ['callTimeoutSeconds', 'maxAttempts', 'access'],
    [
      {
        values: {
          callTimeoutSeconds: options.timeoutSeconds,
          maxAttempts: options.maxAttempts,
          access: options.access,
        },
        name: (key) => (key === 'callTimeoutSeconds' ? 'timeoutSeconds' : key),
      },
    ],
    { env: {} },
  );
  return new FcClient({
    endpoint: options.endpoint || undefined,
    region: options.region || undefined,
    accountId: options.accountId || undefined,
    credentials: credentialsFor(options),
    access: options.access,
    env: options.env,
    home: options.home,
    timeoutMs: timeoutSeconds === undefined ? undefined : Math.min(timeoutSeconds * 1000, 3_600_000),
    invokeTimeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000,
    retry: maxAttempts === undefined ? undefined : { maxAttempts },
  });
}

/** The region that names manifest files: the option, the environment (as the client reads it), else `default`. */
export async function manifestRegion(options: Pick<ConnectOptions, 'region' | 'env' | 'home'>): Promise<string> {
  return options.region || (await resolveRegion({ env: options.env, home: options.home })) || 'default';
}
