import { type IncomingHttpHeaders, request } from 'node:http';

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface Send {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** One HTTP request on its own connection (no keep-alive), so servers can close without waiting. */
export function send(baseUrl: string, { method = 'GET', path = '/', headers = {}, body }: Send): Promise<Reply> {
  const { host: _host, ...rest } = headers;
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, baseUrl), { method, headers: rest, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
