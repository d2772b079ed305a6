import type { InstanceHost, InstanceSpec } from './spec.js';

/**
 * Instances listen on 127.0.0.1 and refuse requests that do not carry this header with the value
 * of `$FCS_INSTANCE_SECRET` (the Node.js host and @fc-sessions/runtime's `serve()` check it), so
 * only the emulator reaches them. A custom runtime with its own server should check it too.
 */
export const INSTANCE_SECRET_HEADER = 'x-fcs-instance-secret';
export const INSTANCE_SECRET_ENV = 'FCS_INSTANCE_SECRET';

const PASSED_THROUGH = ['PATH', 'HOME', 'TMPDIR', 'TEMP', 'TMP', 'LANG', 'LC_ALL', 'TZ', 'SYSTEMROOT'];

/**
 * The environment of an instance process: a few host variables a process needs to start
 * (PATH, HOME, TMPDIR, LANG, TZ), FC's `FC_*` and `ALIBABA_CLOUD_*` variables, `FCS_ENDPOINT`
 * pointing back at the emulator, then the function's own variables; last `FCS_LISTEN_HOST`
 * (127.0.0.1) and the instance secret, which the function's variables cannot override.
 */
export function instanceEnvironment(
  spec: InstanceSpec,
  host: InstanceHost,
  instanceId: string,
  port: number,
  secret: string,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of PASSED_THROUGH) if (process.env[name] !== undefined) env[name] = process.env[name];
  Object.assign(env, {
    FC_FUNCTION_NAME: spec.functionName,
    FC_FUNCTION_HANDLER: spec.handler,
    FC_FUNCTION_MEMORY_SIZE: String(spec.memorySize),
    FC_FUNCTION_VERSION: spec.versionId ?? 'LATEST',
    FC_VER_ID: spec.versionId ?? 'LATEST',
    FC_REGION: host.region,
    FC_ACCOUNT_ID: host.accountId,
    FC_INSTANCE_ID: instanceId,
    FC_CUSTOM_LISTEN_PORT: String(port),
    FC_FUNC_CODE_PATH: spec.codeDir,
    FC_RUNTIME: spec.runtime,
    FCS_ENDPOINT: host.endpoint,
  });
  if (spec.credentials) {
    env['ALIBABA_CLOUD_ACCESS_KEY_ID'] = spec.credentials.accessKeyId;
    env['ALIBABA_CLOUD_ACCESS_KEY_SECRET'] = spec.credentials.accessKeySecret;
    if (spec.credentials.securityToken) env['ALIBABA_CLOUD_SECURITY_TOKEN'] = spec.credentials.securityToken;
  }
  return { ...env, ...spec.environmentVariables, FCS_LISTEN_HOST: '127.0.0.1', [INSTANCE_SECRET_ENV]: secret };
}

/** The `x-fc-*` headers FC adds to every request it sends an instance, except the per-request ones. */
export function instanceHeaders(spec: InstanceSpec, host: InstanceHost): Record<string, string> {
  const headers: Record<string, string> = {
    'x-fc-function-name': spec.functionName,
    'x-fc-function-handler': spec.handler,
    'x-fc-function-memory': String(spec.memorySize),
    'x-fc-function-timeout': String(spec.timeoutSeconds),
    'x-fc-region': host.region,
    'x-fc-account-id': host.accountId,
    'x-fc-qualifier': spec.versionId ?? 'LATEST',
    'x-fc-version-id': spec.versionId ?? '',
    'x-fc-service-name': '',
    'x-fc-service-logproject': '',
    'x-fc-service-logstore': '',
    'x-fc-retry-count': '0',
    'x-fc-tracing-jaeger-endpoint': '',
  };
  if (spec.credentials) {
    headers['x-fc-access-key-id'] = spec.credentials.accessKeyId;
    headers['x-fc-access-key-secret'] = spec.credentials.accessKeySecret;
    if (spec.credentials.securityToken) headers['x-fc-security-token'] = spec.credentials.securityToken;
  }
  return headers;
}

/** FC runs code from `/code`; the emulator maps `/code` in commands and arguments to the unpacked code. */
export function mapCodePath(value: string, codeDir: string): string {
  if (value === '/code') return codeDir;
  return value.startsWith('/code/') ? codeDir + value.slice(5) : value;
}
