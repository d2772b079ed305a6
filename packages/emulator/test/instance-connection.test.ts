import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headerLines, InstanceConnections } from '../src/instances/instance-connection.js';

describe('InstanceConnections (the HTTP/1.1 client to instances)', () => {
  let server: http.Server;
  let connections: InstanceConnections;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        if (req.url === '/chunked') {
          res.setHeader('set-cookie', ['a=1', 'b=2']);
          res.write('first,');
          setTimeout(() => res.end('second'), 5);
          return;
        }
        if (req.url === '/close') {
          res.setHeader('connection', 'close');
          res.end('bye');
          return;
        }
        res.setHeader('x-seen-host', String(req.headers.host));
        res.setHeader('x-seen-multi', String(req.headers['x-multi']));
        res.end(`${req.method} ${req.url} ${body}`);
      });
    });
    server.keepAliveTimeout = 50;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    connections = new InstanceConnections((server.address() as AddressInfo).port);
  });
  afterAll(async () => {
    connections.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends headers and body and reads a Content-Length answer', async () => {
    const lines = headerLines({ 'x-multi': ['1', '2'], skipped: undefined });
    const response = await connections.request('POST', '/invoke?x=1', lines, false, Buffer.from('payload'));
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('POST /invoke?x=1 payload');
    expect(response.headers['x-seen-host']).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(response.headers['x-seen-multi']).toBe('1, 2');
  });

  it('reads chunked answers and keeps Set-Cookie values apart', async () => {
    const response = await connections.request('GET', '/chunked', '', false, Buffer.alloc(0));
    expect(response.body.toString()).toBe('first,second');
    expect(response.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('reads HEAD answers without a body and honours connection: close', async () => {
    const head = await connections.request('HEAD', '/anything', '', false, Buffer.alloc(0));
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    const closing = await connections.request('GET', '/close', '', false, Buffer.alloc(0));
    expect(closing.body.toString()).toBe('bye');
  });

  it('retries once when a kept-alive connection was closed by the server', async () => {
    await connections.request('GET', '/one', '', false, Buffer.alloc(0));
    await new Promise((resolve) => setTimeout(resolve, 120));
    const response = await connections.request('GET', '/two', '', false, Buffer.alloc(0));
    expect(response.body.toString()).toBe('GET /two ');
  });

  it('answers many concurrent requests', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => connections.request('POST', `/n${i}`, '', false, Buffer.from(String(i)))),
    );
    expect(answers.map((response) => response.body.toString())).toEqual(answers.map((_, i) => `POST /n${i} ${i}`));
  });
});
