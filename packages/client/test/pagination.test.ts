import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FcClient } from '../src/index.js';
import { clientFor, type Handler, sendJson, startServer, type TestServer } from './support/server.js';

/** Seven items in pages of `limit` (default 3): tokens `t3`, `t6`, then none. */
function pages(key: 'sessions' | 'functions', make: (n: number) => Record<string, unknown>): Handler {
  const all = Array.from({ length: 7 }, (_, i) => make(i + 1));
  return (request, response) => {
    const start = Number((request.query['nextToken'] ?? 't0').slice(1));
    const limit = Number(request.query['limit'] ?? 3);
    const end = Math.min(start + limit, all.length);
    sendJson(response, 200, { [key]: all.slice(start, end), ...(end < all.length ? { nextToken: `t${end}` } : {}) });
  };
}

describe('sessions', () => {
  let server: TestServer;
  let client: FcClient;

  beforeAll(async () => {
    server = await startServer(pages('sessions', (n) => ({ sessionId: `s${n}`, functionName: 'f' })));
    client = clientFor(server);
  });
  afterAll(async () => {
    client.close();
    await server.close();
  });

  it('listSessions returns one page and its nextToken', async () => {
    // Act
    const first = await client.listSessions('f', { limit: 2 });
    const second = await client.listSessions('f', { limit: 2, nextToken: first.nextToken });

    // Assess
    expect(first).toEqual({
      sessions: [
        { sessionId: 's1', functionName: 'f' },
        { sessionId: 's2', functionName: 'f' },
      ],
      nextToken: 't2',
    });
    expect(second.sessions.map((s) => s.sessionId)).toEqual(['s3', 's4']);
    expect(server.requests.at(-1)?.query).toEqual({ limit: '2', nextToken: 't2' });
  });

  it('iterateSessions walks three pages, passing each token on with the same filters', async () => {
    // Prepare
    const before = server.requests.length;

    // Act
    const ids: string[] = [];
    for await (const session of client.iterateSessions('f', {
      limit: 3,
      qualifier: 'LATEST',
      sessionStatus: 'Active',
    })) {
      ids.push(session.sessionId);
    }

    // Assess
    expect(ids).toEqual(['s1', 's2', 's3', 's4', 's5', 's6', 's7']);
    const queries = server.requests.slice(before).map((r) => r.query);
    expect(queries).toEqual([
      { limit: '3', qualifier: 'LATEST', sessionStatus: 'Active' },
      { limit: '3', qualifier: 'LATEST', sessionStatus: 'Active', nextToken: 't3' },
      { limit: '3', qualifier: 'LATEST', sessionStatus: 'Active', nextToken: 't6' },
    ]);
  });

  it('iterateSessions stops early without reading further pages', async () => {
    // Prepare
    const before = server.requests.length;

    // Act
    for await (const session of client.iterateSessions('f')) {
      if (session.sessionId === 's2') break;
    }

    // Assess
    expect(server.requests.length - before).toBe(1);
  });
});

describe('functions', () => {
  let server: TestServer;
  let client: FcClient;

  beforeAll(async () => {
    server = await startServer(
      pages('functions', (n) => ({
        functionName: `fn${n}`,
        sessionAffinity: 'HEADER_FIELD',
        sessionAffinityConfig: JSON.stringify({ affinityHeaderFieldName: `x-session-${n}` }),
      })),
    );
    client = clientFor(server);
  });
  afterAll(async () => {
    client.close();
    await server.close();
  });

  it('iterateFunctions walks three pages with the prefix, parsing each affinity config', async () => {
    // Act
    const found: string[] = [];
    for await (const fn of client.iterateFunctions({ prefix: 'fn' })) {
      found.push(`${fn.functionName}:${fn.sessionAffinityConfig?.affinityHeaderFieldName}`);
    }

    // Assess
    expect(found).toEqual(Array.from({ length: 7 }, (_, i) => `fn${i + 1}:x-session-${i + 1}`));
    expect(server.requests.map((r) => r.query)).toEqual([
      { prefix: 'fn' },
      { prefix: 'fn', nextToken: 't3' },
      { prefix: 'fn', nextToken: 't6' },
    ]);
  });
});
