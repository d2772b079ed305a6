import {
  ACCOUNT_ID,
  FAKE_CREDENTIALS,
  FC2_REQUEST_ID,
  FUNCTION_HANDLER,
  FUNCTION_NAME,
  LOG_PROJECT,
  LOG_STORE,
  MEMORY_MB,
  REGION,
  REQUEST_ID,
  SPAN_BAGGAGES,
  SPAN_CONTEXT,
  TIMEOUT_SECONDS,
} from './identity.js';

/** Header names as Node's `IncomingMessage` shows them: lower case. */
export type FcHeaders = Readonly<Record<string, string>>;

const credentialHeaders = {
  'x-fc-access-key-id': FAKE_CREDENTIALS.accessKeyId,
  'x-fc-access-key-secret': FAKE_CREDENTIALS.accessKeySecret,
  'x-fc-security-token': FAKE_CREDENTIALS.securityToken,
};

/** What FC 3.0 sends a custom runtime for an event invocation (`POST /invoke`). */
export const fc3Headers: FcHeaders = Object.freeze({
  host: '127.0.0.1:9000',
  'content-type': 'application/octet-stream',
  'x-fc-request-id': REQUEST_ID,
  ...credentialHeaders,
  'x-fc-account-id': ACCOUNT_ID,
  'x-fc-control-path': '/invoke',
  'x-fc-function-handler': FUNCTION_HANDLER,
  'x-fc-function-memory': String(MEMORY_MB),
  'x-fc-function-name': FUNCTION_NAME,
  'x-fc-function-timeout': String(TIMEOUT_SECONDS),
  'x-fc-qualifier': 'LATEST',
  'x-fc-region': REGION,
  'x-fc-retry-count': '0',
  'x-fc-service-logproject': LOG_PROJECT,
  'x-fc-service-logstore': LOG_STORE,
  'x-fc-service-name': '',
  'x-fc-tracing-jaeger-endpoint': '',
  'x-fc-tracing-opentracing-span-baggages': SPAN_BAGGAGES,
  'x-fc-tracing-opentracing-span-context': SPAN_CONTEXT,
  'x-fc-version-id': '',
});

/** FC 3.0 web traffic (`x-fc-control-path: /http-invoke`): the caller's own request plus FC's headers. */
export const fc3HttpHeaders: FcHeaders = Object.freeze({
  ...fc3Headers,
  host: `${FUNCTION_NAME}-ytfguzwtvc.${REGION}.fcapp.run`,
  'content-type': 'application/json',
  accept: '*/*',
  'user-agent': 'curl/8.5.0',
  'x-forwarded-for': '203.0.113.7',
  'x-fc-control-path': '/http-invoke',
  'x-fc-base-path': '/cart/items',
  'x-fc-client-ip': '203.0.113.7',
});

/** FC 3.0 async task mode: an event invocation that carries its task id. */
export const fc3AsyncTaskHeaders: FcHeaders = Object.freeze({
  ...fc3Headers,
  'x-fc-async-task-id': 'nightly_report-42',
});

/**
 * What FC 2.0 sends a custom runtime for a stateful async invocation: a named service, a published
 * version behind an alias, lifecycle hook handlers, and `x-fc-stateful-async-invocation-id`.
 */
export const fc2Headers: FcHeaders = Object.freeze({
  host: '127.0.0.1:9000',
  'content-type': 'application/octet-stream',
  'x-fc-request-id': FC2_REQUEST_ID,
  ...credentialHeaders,
  'x-fc-account-id': ACCOUNT_ID,
  'x-fc-control-path': '/invoke',
  'x-fc-function-handler': FUNCTION_HANDLER,
  'x-fc-function-initializer': 'index.initializer',
  'x-fc-function-memory': String(MEMORY_MB),
  'x-fc-function-name': FUNCTION_NAME,
  'x-fc-function-timeout': String(TIMEOUT_SECONDS),
  'x-fc-initialization-timeout': '30',
  'x-fc-instance-lifecycle-pre-freeze-handler': '',
  'x-fc-instance-lifecycle-pre-stop-handler': 'index.preStop',
  'x-fc-qualifier': 'prod',
  'x-fc-region': REGION,
  'x-fc-retry-count': '1',
  'x-fc-service-logproject': LOG_PROJECT,
  'x-fc-service-logstore': LOG_STORE,
  'x-fc-service-name': 'shop',
  'x-fc-stateful-async-invocation-id': 'order-2024-0001',
  'x-fc-tracing-jaeger-endpoint': '',
  'x-fc-tracing-opentracing-span-baggages': '',
  'x-fc-tracing-opentracing-span-context': SPAN_CONTEXT,
  'x-fc-version-id': '3',
});
