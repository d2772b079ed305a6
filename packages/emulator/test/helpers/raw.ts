import http from 'node:http';
import { type Credentials, signFc2Request, signRequest } from '@fc-sessions/client/signing';

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  json<T = Record<string, unknown>>(): T;
}

export interface RawRequest {
  readonly method: string;
  /** Path and query as sent. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

/** Sends a request exactly as given (no signing, no header rewriting). */
export function send(endpoint: string, request: RawRequest): Promise<RawResponse> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.path,
        headers: request.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body.toString()) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}

export interface SignedRequest extends RawRequest {
  readonly action: string;
  readonly date?: Date;
  readonly nonce?: string;
}

/** The headers of an ACS3-signed FC 3.0 request, as the official SDK would send them. */
export function acs3Headers(
  endpoint: string,
  credentials: Credentials,
  request: SignedRequest,
): Record<string, string> {
  const base: Record<string, string> = {
    host: new URL(endpoint).host,
    'x-acs-version': '2023-03-30',
    'x-acs-action': request.action,
    accept: 'application/json',
    ...(request.body !== undefined ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    ...request.headers,
  };
  const added = signRequest(
    { method: request.method, url: request.path, headers: base, body: request.body },
    credentials,
    { ...(request.date ? { date: request.date } : {}), ...(request.nonce ? { nonce: request.nonce } : {}) },
  );
  return { ...base, ...added };
}

export function sendSigned(endpoint: string, credentials: Credentials, request: SignedRequest): Promise<RawResponse> {
  return send(endpoint, { ...request, headers: acs3Headers(endpoint, credentials, request) });
}

/** An FC 2.0 invoke request signed like the FC 2.0 SDK (`FC <id>:<signature>`). */
export function fc2Headers(
  accountId: string,
  credentials: Credentials,
  path: string,
  body: string,
  extra: Record<string, string> = {},
  date?: Date,
): Record<string, string> {
  const base: Record<string, string> = {
    'content-type': 'application/octet-stream',
    'x-fc-account-id': accountId,
    ...extra,
  };
  return {
    ...base,
    ...signFc2Request({ method: 'POST', url: path, headers: base, body }, credentials, date ? { date } : {}),
  };
}

/** A `/_emulator/*` request carrying the admin token. */
export function sendAdmin(
  target: { endpoint: string; adminToken: string | undefined },
  method: string,
  path: string,
  body?: string,
): Promise<RawResponse> {
  return send(target.endpoint, {
    method,
    path,
    headers: { authorization: `Bearer ${target.adminToken}` },
    ...(body === undefined ? {} : { body }),
  });
}
