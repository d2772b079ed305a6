import type { ServerResponse } from 'node:http';

/** What a route answers; the node adapter writes it. */
export interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string | string[] | number>;
  readonly body?: Buffer | string;
  /** A long-lived answer (server-sent events): gets the response once the status and headers are written. */
  readonly stream?: (res: ServerResponse) => void;
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

/**
 * Writes the reply with its own content-length (replacing any the reply carries). The headers go to
 * node:http as a flat list, which it serialises faster than a copied object.
 */
export function writeReply(res: ServerResponse, reply: Reply): void {
  const body = reply.body ?? '';
  const headers: Array<string | string[] | number> = [];
  for (const name in reply.headers) if (name !== 'content-length') headers.push(name, reply.headers[name]!);
  if (reply.stream) {
    res.writeHead(reply.status, headers as string[]);
    reply.stream(res);
    return;
  }
  headers.push('content-length', Buffer.byteLength(body));
  res.writeHead(reply.status, headers as string[]);
  res.end(body);
}
