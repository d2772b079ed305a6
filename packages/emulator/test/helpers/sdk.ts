import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import type * as Fc from '@alicloud/fc20230330';
import type * as OpenApi from '@alicloud/openapi-core';
import type { Credentials } from '@fc-sessions/client/signing';

// The official SDK is CommonJS: seen from ESM its `default` is the whole `module.exports`, which is what require returns.
const require = createRequire(import.meta.url);
export const fc = require('@alicloud/fc20230330') as (typeof Fc)['default'];
const openapi = require('@alicloud/openapi-core') as (typeof OpenApi)['default'];
export type Sdk = InstanceType<typeof fc.default>;
type Runtime = Parameters<Sdk['invokeFunctionWithOptions']>[3];
const dara = createRequire(require.resolve('@alicloud/fc20230330'))('@darabonba/typescript') as {
  RuntimeOptions: new (map: Record<string, unknown>) => Runtime;
};

/** The official SDK pointed at the emulator. */
export function sdkFor(endpoint: string, credentials: Credentials): Sdk {
  return new fc.default(
    new openapi.$OpenApiUtil.Config({
      accessKeyId: credentials.accessKeyId,
      accessKeySecret: credentials.accessKeySecret,
      securityToken: credentials.securityToken,
      endpoint: new URL(endpoint).host,
      protocol: 'http',
      regionId: 'cn-hangzhou',
    }),
  );
}

export const noRetry = (): Runtime => new dara.RuntimeOptions({ autoretry: false, maxAttempts: 0 });

export async function readAll(stream: Readable | undefined): Promise<Buffer> {
  const chunks: Buffer[] = [];
  if (stream) for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** InvokeFunction through the SDK with extra (unsigned) headers such as the session header. */
export async function sdkInvoke(
  sdk: Sdk,
  functionName: string,
  body: string,
  options: {
    headers?: Record<string, string>;
    logTail?: boolean;
    async?: boolean;
    asyncTaskId?: string;
    qualifier?: string;
  } = {},
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const { Readable } = await import('node:stream');
  const response = await sdk.invokeFunctionWithOptions(
    functionName,
    new fc.InvokeFunctionRequest({ body: Readable.from([Buffer.from(body)]), qualifier: options.qualifier }),
    new fc.InvokeFunctionHeaders({
      commonHeaders: { ...options.headers },
      xFcLogType: options.logTail ? 'Tail' : 'None',
      xFcInvocationType: options.async ? 'Async' : 'Sync',
      ...(options.asyncTaskId ? { xFcAsyncTaskId: options.asyncTaskId } : {}),
    }),
    noRetry(),
  );
  return { status: response.statusCode ?? 0, headers: response.headers ?? {}, body: await readAll(response.body) };
}
