import { deepFreeze } from './freeze.js';
import { ACCOUNT_ID, FUNCTION_NAME, REGION, REQUEST_ID, SESSION } from './identity.js';

/** The JSON event an HTTP trigger hands a built-in runtime (version v1). */
export interface HttpTriggerEvent {
  readonly version: 'v1';
  readonly rawPath: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly queryParameters: Readonly<Record<string, string>>;
  readonly body: string;
  readonly isBase64Encoded: boolean;
  readonly requestContext: {
    readonly accountId: string;
    readonly domainName: string;
    readonly domainPrefix: string;
    readonly http: {
      readonly method: string;
      readonly path: string;
      readonly protocol: string;
      readonly sourceIp: string;
      readonly userAgent: string;
    };
    readonly requestId: string;
    readonly time: string;
    readonly timeEpoch: string;
  };
}

const domainPrefix = `${FUNCTION_NAME}-ytfguzwtvc`;

/**
 * `POST /cart/items?page=2` through an HTTP trigger, with the session's affinity header in the
 * caller's own capitalisation. The built-in runtime receives it as a Buffer of this JSON.
 */
export const httpTriggerEvent: HttpTriggerEvent = deepFreeze({
  version: 'v1',
  rawPath: '/cart/items',
  headers: {
    Accept: '*/*',
    'Content-Type': 'application/json',
    'User-Agent': 'curl/8.5.0',
    'X-Forwarded-Proto': 'https',
    'X-Session-Id': SESSION.id,
  },
  queryParameters: { page: '2' },
  body: 'eyJza3UiOiJhLTEiLCJxdHkiOjJ9',
  isBase64Encoded: true,
  requestContext: {
    accountId: ACCOUNT_ID,
    domainName: `${domainPrefix}.${REGION}.fcapp.run`,
    domainPrefix,
    http: {
      method: 'POST',
      path: '/cart/items',
      protocol: 'HTTP/1.1',
      sourceIp: '203.0.113.7',
      userAgent: 'curl/8.5.0',
    },
    requestId: REQUEST_ID,
    time: '2024-11-26T15:22:09Z',
    timeEpoch: '1732634529000',
  },
});
