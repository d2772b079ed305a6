import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, sendJson, startServer, type TestServer } from './support/server.js';

const TOKEN = 'juicefsTokenNeverShown0001';
const SESSION = {
  sessionId: 's1',
  functionName: 'f',
  sessionStatus: 'Active',
  juiceFsConfig: { mountPoints: [{ volumeName: 'v', token: TOKEN, mountDir: '/mnt/v' }] },
};

describe('JuiceFS tokens in sessions FC returns', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((request, response) =>
      sendJson(
        response,
        200,
        request.path.endsWith('/sessions') && request.method === 'GET' ? { sessions: [SESSION] } : SESSION,
      ),
    );
  });
  afterAll(() => server.close());

  it('can be read by code but never reach JSON.stringify or console output', async () => {
    // Prepare
    const client = clientFor(server);

    // Act
    const answers = [
      await client.getSession('f', 's1'),
      await client.createSession('f', { sessionId: 's1' }),
      await client.updateSession('f', 's1', { sessionTTLInSeconds: 60 }),
      ...(await client.listSessions('f')).sessions,
    ];
    client.close();

    // Assess
    for (const session of answers) {
      expect(session.juiceFsConfig?.mountPoints?.[0]?.token).toBe(TOKEN);
      expect(session.juiceFsConfig?.mountPoints?.[0]?.volumeName).toBe('v');
      expect(JSON.stringify(session)).not.toContain(TOKEN);
      expect(inspect(session, { depth: 10 })).not.toContain(TOKEN);
    }
  });
});
