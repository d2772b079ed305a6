import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, deploy, invoke } from './helpers/api.js';
import { startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { CUSTOM_SERVER, NODE_HANDLER } from './helpers/functions.js';

const HEADER = 'x-session-id';

describe('many concurrent invocations', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startTestEmulator({ maxInstancesPerFunction: 3 });
    await deploy(
      t.emulator,
      { functionName: 'busy', runtime: 'nodejs20', handler: 'index.handler' },
      { 'index.js': NODE_HANDLER },
    );
    await deploy(
      t.emulator,
      {
        functionName: 'sticky',
        runtime: 'custom.debian12',
        handler: 'x',
        instanceConcurrency: 20,
        customRuntimeConfig: { command: ['node', 'server.js'] },
        sessionAffinity: 'HEADER_FIELD',
        sessionAffinityConfig: JSON.stringify({ affinityHeaderFieldName: HEADER, sessionConcurrencyPerInstance: 2 }),
      },
      { 'server.js': CUSTOM_SERVER },
    );
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers every one of 150 requests with instanceConcurrency 1 and at most 3 instances', async () => {
    const answers = await Promise.all(Array.from({ length: 150 }, (_, i) => invoke(t.emulator, 'busy', `r${i}`)));
    expect(answers.map((response) => response.status)).toEqual(answers.map(() => 200));
    expect(answers.map((response) => response.json()['event'])).toEqual(answers.map((_, i) => `r${i}`));
    expect(new Set(answers.map((response) => response.headers['x-fc-instance-id'])).size).toBeLessThanOrEqual(3);
    t.notePids();
  });

  it('keeps each of 6 sessions on its instance under concurrent load (2 sessions per instance)', async () => {
    const ids = Array.from({ length: 6 }, (_, i) => `s${i}`);
    const bound = new Map<string, string>();
    for (const id of ids) {
      const created = await call(t.emulator, 'POST', '/2023-03-30/functions/sticky/sessions', 'CreateSession', {
        sessionId: id,
      });
      bound.set(id, created.json<{ containerId: string }>().containerId);
    }
    expect(new Set(bound.values()).size).toBe(3);
    const requests = ids.flatMap((id) => Array.from({ length: 25 }, () => id));
    const answers = await Promise.all(requests.map((id) => invoke(t.emulator, 'sticky', id, { [HEADER]: id })));
    answers.forEach((response, i) => {
      expect(response.status).toBe(200);
      expect(response.headers['x-fc-instance-id']).toBe(bound.get(requests[i]!));
    });
    t.notePids();
  });
});
