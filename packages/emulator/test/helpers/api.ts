import type { EmulatorHandle } from '../../src/index.js';
import { NODE_HANDLER } from './functions.js';

/** Where signed calls go: an emulator handle, or just its endpoint and keys. */
export type Target = Pick<EmulatorHandle, 'endpoint' | 'credentials'>;
import { type RawResponse, sendSigned } from './raw.js';
import { zipBase64, type ZipFile } from './zip.js';

/** A signed FC 3.0 call with a JSON body. */
export function call(
  emulator: Target,
  method: string,
  path: string,
  action: string,
  body?: unknown,
  headers?: Record<string, string>,
): Promise<RawResponse> {
  return sendSigned(emulator.endpoint, emulator.credentials, {
    method,
    path,
    action,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    ...(headers ? { headers } : {}),
  });
}

/** CreateFunction with the given code files and configuration; fails the test unless it answers 200. */
export async function deploy(
  emulator: Target,
  config: Record<string, unknown> & { functionName: string },
  files: Record<string, string | ZipFile>,
): Promise<Record<string, unknown>> {
  const response = await call(emulator, 'POST', '/2023-03-30/functions', 'CreateFunction', {
    ...config,
    code: { zipFile: zipBase64(files) },
  });
  if (response.status !== 200)
    throw new Error(`CreateFunction answered ${response.status}: ${response.body.toString()}`);
  return response.json();
}

/** The tests' usual function: the nodejs20 NODE_HANDLER, sessions by the `x-session-id` header. */
export function deploySessionFunction(emulator: Target, functionName: string): Promise<Record<string, unknown>> {
  return deploy(
    emulator,
    {
      functionName,
      runtime: 'nodejs20',
      handler: 'index.handler',
      sessionAffinity: 'HEADER_FIELD',
      sessionAffinityConfig: '{"affinityHeaderFieldName":"x-session-id"}',
    },
    { 'index.js': NODE_HANDLER },
  );
}

/** InvokeFunction signed like the SDK, with extra unsigned headers (session header, cookie, x-fc-*). */
export function invoke(
  emulator: Target,
  functionName: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return sendSigned(emulator.endpoint, emulator.credentials, {
    method: 'POST',
    path: `/2023-03-30/functions/${encodeURIComponent(functionName)}/invocations`,
    action: 'InvokeFunction',
    body,
    headers: { 'content-type': 'application/octet-stream', ...headers },
  });
}

/** An anonymous HTTP trigger for every method, so `/http/{functionName}/...` serves the function. */
export async function httpTrigger(
  emulator: Target,
  functionName: string,
  triggerConfig: Record<string, unknown> = {
    authType: 'anonymous',
    methods: ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS'],
  },
): Promise<void> {
  const response = await call(
    emulator,
    'POST',
    `/2023-03-30/functions/${encodeURIComponent(functionName)}/triggers`,
    'CreateTrigger',
    { triggerName: 'http', triggerType: 'http', triggerConfig: JSON.stringify(triggerConfig) },
  );
  if (response.status !== 200)
    throw new Error(`CreateTrigger answered ${response.status}: ${response.body.toString()}`);
}
