import { FcError } from './errors.js';
import { invalid, validateAccountId, validateRegion } from './validate.js';

/** The one setting that points every part of fc-sessions at another endpoint, e.g. the emulator. */
export const ENDPOINT_ENV = 'FCS_ENDPOINT';

export interface EndpointOptions {
  endpoint?: string | undefined;
  region?: string | undefined;
  accountId?: string | undefined;
  /** Use the region's VPC host `{accountId}.{region}-internal.fc.aliyuncs.com`. */
  internal?: boolean | undefined;
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

export type EndpointKind = 'management' | 'invoke';

function parseEndpoint(text: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(text.includes('://') ? text : `https://${text}`);
  } catch {
    throw invalid(field, text, 'must be an http(s) URL such as http://127.0.0.1:9100');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(field, text, 'must use http or https');
  return new URL(url.origin);
}

/**
 * Where requests go: `endpoint`, else `$FCS_ENDPOINT`, else the account endpoint
 * `https://{accountId}.{region}.fc.aliyuncs.com` (which serves management and invoke calls), else,
 * for management calls only, `https://fcv3.{region}.aliyuncs.com`. A region or account id given
 * is checked whichever endpoint is used (both reach headers, signatures and manifest names).
 */
export function resolveEndpoint(options: EndpointOptions, kind: EndpointKind): URL {
  validateRegion(options.region);
  validateAccountId(options.accountId);
  if (options.endpoint) return parseEndpoint(options.endpoint, 'endpoint');
  const fromEnv = (options.env ?? process.env)[ENDPOINT_ENV];
  if (fromEnv) return parseEndpoint(fromEnv, ENDPOINT_ENV);
  const { region, accountId } = options;
  if (!region) {
    throw new FcError({
      code: 'InvalidArgument',
      field: 'region',
      message: `region is required (e.g. cn-hangzhou) unless endpoint or ${ENDPOINT_ENV} is set; also read from ALIBABA_CLOUD_REGION_ID`,
    });
  }
  if (accountId) return new URL(`https://${accountId}.${region}${options.internal ? '-internal' : ''}.fc.aliyuncs.com`);
  if (kind === 'management') return new URL(`https://fcv3.${region}.aliyuncs.com`);
  throw new FcError({
    code: 'InvalidArgument',
    field: 'accountId',
    message: `accountId is required to invoke in ${region} unless endpoint or ${ENDPOINT_ENV} is set; also read from ALIBABA_CLOUD_ACCOUNT_ID or AccountID`,
  });
}
