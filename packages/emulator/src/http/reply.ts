import type { ServerResponse } from 'node:http';

/** What a route answers; the node adapter writes it. */
export interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string | string[] | number>;
  readonly body?: Buffer | string;
}

export function json(status: number, value: unknown, headers?: Record<string, string | string[]>): Reply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

/** FC 3.0 error body. */
export function fc3Error(status: number, code: string, message: string, requestId: string): Reply {
  return json(status, { Code: code, Message: message, RequestId: requestId }, { 'x-fc-request-id': requestId });
}

/** FC 2.0 error body. */
export function fc2Error(status: number, code: string, message: string, requestId: string): Reply {
  return json(status, { errorCode: code, errorMessage: message }, { 'x-fc-request-id': requestId });
}

export function writeReply(res: ServerResponse, reply: Reply): void {
  const body = reply.body ?? '';
  const headers = reply.headers ? { ...reply.headers } : {};
  headers['content-length'] = Buffer.byteLength(body);
  res.writeHead(reply.status, headers);
  res.end(body);
}
