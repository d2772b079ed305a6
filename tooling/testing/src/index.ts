export { type ServerlessDevsAccessFile, serverlessDevsAccess, serverlessDevsAccessFolded } from './access-files.js';
export { type FakeContext, type FakeLogger, fakeContext } from './context.js';
export { type FcEnv, fc2Env, fc3Env } from './env.js';
export { type HttpTriggerEvent, httpTriggerEvent } from './events.js';
export { deepFreeze } from './freeze.js';
export { type FcHeaders, fc2Headers, fc3AsyncTaskHeaders, fc3Headers, fc3HttpHeaders } from './headers.js';
export {
  ACCOUNT_ID,
  FAKE_CREDENTIALS,
  FC2_REQUEST_ID,
  FUNCTION_HANDLER,
  FUNCTION_NAME,
  INSTANCE_ID,
  LOG_PROJECT,
  LOG_STORE,
  MEMORY_MB,
  REGION,
  REQUEST_ID,
  SESSION,
  SPAN_BAGGAGES,
  SPAN_CONTEXT,
  TIMEOUT_SECONDS,
} from './identity.js';
export { type SignatureVector, type SignatureVectors, vectors } from './vectors.js';
export { type RunningCustomRuntime, startCustomRuntime } from './custom-runtime.js';
export { waitFor } from './wait-for.js';
