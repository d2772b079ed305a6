import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fc3HttpHeaders, SESSION } from '@fc-sessions/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { currentInvocation, currentSession } from '../src/index.js';
import { koaMiddleware, middleware, wrapListener } from '../src/node.js';
import { send } from './http.js';

const options = { header: SESSION.header, env: {} };
let server: Server | undefined;

async function listen(listener: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(listener);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

function headersFor(n: number) {
  return {
    ...fc3HttpHeaders,
    'x-fc-request-id': `1-6745e7a1-00000000-${String(n).padStart(12, '0')}`,
    [SESSION.header]: `session-${n}`,
  };
}

/** Sends `count` overlapping requests; each answer must name its own request id and session. */
async function expectApart(url: string, count = 30) {
  const replies = await Promise.all(
    Array.from({ length: count }, (_, n) => send(url, { method: 'POST', headers: headersFor(n), body: `body-${n}` })),
  );
  replies.forEach((reply, n) => {
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({
      requestId: headersFor(n)['x-fc-request-id'],
      session: `session-${n}`,
      body: `body-${n}`,
    });
  });
}

/** A handler in Node's own style: the answer is written from the request's `end` event. */
function answerOnEnd(req: IncomingMessage, res: ServerResponse) {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => {
    body += chunk;
  });
  req.on('end', async () => {
    await sleep(Math.random() * 10);
    res.end(JSON.stringify({ requestId: currentInvocation()?.requestId, session: currentSession()?.id, body }));
  });
}

describe('wrapListener', () => {
  it("keeps concurrent requests apart, inside the request's own events too", async () => {
    await expectApart(await listen(wrapListener(answerOnEnd, options)));
  });
});

describe('middleware (Express / Connect style)', () => {
  it('scopes the rest of the chain, also after a body parser that continues from an event', async () => {
    const parseBody = (req: IncomingMessage & { body?: string }, _res: ServerResponse, next: () => void) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
      });
      req.on('end', () => {
        req.body = body;
        next();
      });
    };
    const route = (req: IncomingMessage & { body?: string }, res: ServerResponse) =>
      res.end(
        JSON.stringify({ requestId: currentInvocation()?.requestId, session: currentSession()?.id, body: req.body }),
      );
    const fc = middleware(options);
    await expectApart(await listen((req, res) => fc(req, res, () => parseBody(req, res, () => route(req, res)))));
  });
});

describe('koaMiddleware', () => {
  it('scopes everything downstream of it', async () => {
    const fc = koaMiddleware(options);
    const url = await listen((req, res) => {
      void fc({ req, res }, async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        await sleep(Math.random() * 10);
        res.end(
          JSON.stringify({
            requestId: currentInvocation()?.requestId,
            session: currentSession()?.id,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      });
    });
    await expectApart(url);
  });
});
