import { deepFreeze } from './freeze.js';
import {
  ACCOUNT_ID,
  FAKE_CREDENTIALS,
  FUNCTION_HANDLER,
  FUNCTION_NAME,
  LOG_PROJECT,
  LOG_STORE,
  MEMORY_MB,
  REGION,
  REQUEST_ID,
  SPAN_CONTEXT,
  TIMEOUT_SECONDS,
} from './identity.js';

export interface FakeLogger {
  readonly debug: (...args: unknown[]) => void;
  readonly info: (...args: unknown[]) => void;
  readonly warn: (...args: unknown[]) => void;
  readonly error: (...args: unknown[]) => void;
}

/** The `context` the FC 3.0 built-in Node.js runtime passes as a handler's second argument. */
export interface FakeContext {
  readonly requestId: string;
  readonly credentials: {
    readonly accessKeyId: string;
    readonly accessKeySecret: string;
    readonly securityToken: string;
  };
  readonly function: {
    readonly name: string;
    readonly handler: string;
    readonly memory: number;
    readonly timeout: number;
  };
  readonly service: {
    readonly name: string;
    readonly logProject: string;
    readonly logStore: string;
    readonly qualifier: string;
    readonly versionId: string;
  };
  readonly region: string;
  readonly accountId: string;
  readonly tracing: {
    readonly openTracingSpanContext: string;
    readonly openTracingSpanBaggages: Readonly<Record<string, string>>;
    readonly jaegerEndpoint: string;
  };
  readonly logger: FakeLogger;
}

const silent = () => {};

/** A frozen FC 3.0 built-in-runtime context; its values match `fc3Headers`. */
export const fakeContext: FakeContext = deepFreeze({
  requestId: REQUEST_ID,
  credentials: { ...FAKE_CREDENTIALS },
  function: { name: FUNCTION_NAME, handler: FUNCTION_HANDLER, memory: MEMORY_MB, timeout: TIMEOUT_SECONDS },
  service: { name: '', logProject: LOG_PROJECT, logStore: LOG_STORE, qualifier: 'LATEST', versionId: '' },
  region: REGION,
  accountId: ACCOUNT_ID,
  tracing: {
    openTracingSpanContext: SPAN_CONTEXT,
    openTracingSpanBaggages: { 'x-b3-sampled': '1', tenant: 'acme' },
    jaegerEndpoint: '',
  },
  logger: { debug: silent, info: silent, warn: silent, error: silent },
});
