import type { IncomingHttpHeaders } from 'node:http';
import type { Reply } from '../http/reply.js';
import { isoSeconds } from '../ids.js';

const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|graphql)|[^;]*\+(json|xml))/i;

export interface WebRequest {
  readonly method: string;
  /** The path the function sees (the route prefix removed), starting with `/`. */
  readonly path: string;
  /** The raw query string without `?`. */
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly httpVersion: string;
  /** The route prefix the function does not see (`x-fc-base-path`). */
  readonly basePath: string;
}

function canonicalName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
}

/** FC's HTTP-trigger event (version v1) for built-in runtimes. */
export function httpTriggerEvent(
  request: WebRequest,
  requestId: string,
  accountId: string,
  functionName: string,
): Buffer {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[canonicalName(name)] = Array.isArray(value) ? value.join(', ') : value;
  }
  const queryParameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(request.query))
    if (!(name in queryParameters)) queryParameters[name] = value;
  const contentType = String(request.headers['content-type'] ?? '');
  const isText = request.body.length === 0 || TEXT_TYPES.test(contentType);
  const now = new Date();
  const event = {
    version: 'v1',
    rawPath: request.path,
    headers,
    queryParameters,
    body: request.body.toString(isText ? 'utf8' : 'base64'),
    isBase64Encoded: !isText,
    requestContext: {
      accountId,
      domainName: String(request.headers['host'] ?? ''),
      domainPrefix: functionName,
      http: {
        method: request.method,
        path: request.path,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.sourceIp,
        userAgent: String(request.headers['user-agent'] ?? ''),
      },
      requestId,
      time: isoSeconds(now.getTime()),
      timeEpoch: String(now.getTime()),
    },
  };
  return Buffer.from(JSON.stringify(event));
}

/**
 * Turns a built-in runtime's answer to an HTTP-trigger event into the HTTP response: an object
 * with `statusCode` gives status, headers and body (`isBase64Encoded` honoured); anything else is
 * the body of a 200.
 */
export function httpTriggerResponse(body: Buffer): Reply {
  let parsed: unknown;
  try {
    parsed = body.length > 0 && (body[0] === 0x7b || body[0] === 0x20) ? JSON.parse(body.toString('utf8')) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed === 'object' && 'statusCode' in parsed) {
    const shaped = parsed as { statusCode?: unknown; headers?: unknown; body?: unknown; isBase64Encoded?: unknown };
    const headers: Record<string, string> = {};
    if (shaped.headers && typeof shaped.headers === 'object') {
      for (const [name, value] of Object.entries(shaped.headers)) headers[name.toLowerCase()] = String(value);
    }
    const text =
      shaped.body === undefined || shaped.body === null
        ? ''
        : typeof shaped.body === 'string'
          ? shaped.body
          : JSON.stringify(shaped.body);
    const status = Number(shaped.statusCode);
    return {
      status: Number.isInteger(status) && status >= 100 && status <= 599 ? status : 200,
      headers,
      body: shaped.isBase64Encoded === true ? Buffer.from(text, 'base64') : text,
    };
  }
  return { status: 200, headers: {}, body };
}
