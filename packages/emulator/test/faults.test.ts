import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, deploy } from './helpers/api.js';
import { startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { NODE_HANDLER } from './helpers/functions.js';
import { sendAdmin } from './helpers/raw.js';

describe('fault injection', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startTestEmulator();
    await deploy(
      t.emulator,
      {
        functionName: 'faulty',
        runtime: 'nodejs20',
        handler: 'index.handler',
        sessionAffinity: 'GENERATED_COOKIE',
      },
      { 'index.js': NODE_HANDLER },
    );
  });
  afterAll(async () => {
    await t?.stop();
  });

  const putFaults = async (config: unknown) => {
    const response = await sendAdmin(t.emulator, 'PUT', '/_emulator/faults', JSON.stringify(config));
    expect(response.status).toBe(200);
  };
  const statuses = async (count: number) => {
    const seen: number[] = [];
    for (let i = 0; i < count; i++)
      seen.push((await call(t.emulator, 'GET', '/2023-03-30/functions', 'ListFunctions')).status);
    return seen;
  };

  it('answers a seeded share of 429s and 503s, the same sequence for the same seed', async () => {
    const config = { seed: 42, rules: [{ action: 'ListFunctions', throttleRate: 0.3, unavailableRate: 0.2 }] };
    await putFaults(config);
    const first = await statuses(40);
    await putFaults(config);
    const second = await statuses(40);
    expect(second).toEqual(first);
    expect(first.filter((status) => status === 429).length).toBeGreaterThan(3);
    expect(first.filter((status) => status === 503).length).toBeGreaterThan(1);
    expect(first.filter((status) => status === 200).length).toBeGreaterThan(10);

    const other = await call(t.emulator, 'GET', '/2023-03-30/functions/faulty', 'GetFunction');
    expect(other.status).toBe(200);
  });

  it('gives each action its own seeded sequence: other actions in between do not shift it', async () => {
    const config = {
      seed: 7,
      rules: [
        { action: 'ListFunctions', unavailableRate: 0.5 },
        { action: 'GetFunction', unavailableRate: 0.5 },
      ],
    };
    await putFaults(config);
    const alone = await statuses(20);
    await putFaults(config);
    const mixed: number[] = [];
    for (let i = 0; i < 20; i++) {
      for (let j = 0; j < i % 3; j++) await call(t.emulator, 'GET', '/2023-03-30/functions/faulty', 'GetFunction');
      mixed.push(...(await statuses(1)));
    }
    expect(mixed).toEqual(alone);
    expect(alone).toContain(503);
    expect(alone).toContain(200);
  });

  it('names the injected codes', async () => {
    await putFaults({ rules: [{ throttleRate: 1 }] });
    const throttled = await call(t.emulator, 'GET', '/2023-03-30/functions', 'ListFunctions');
    expect({ status: throttled.status, code: throttled.json()['Code'] }).toEqual({
      status: 429,
      code: 'ResourceExhausted',
    });
    await putFaults({ rules: [{ unavailableRate: 1 }] });
    const unavailable = await call(t.emulator, 'GET', '/2023-03-30/functions', 'ListFunctions');
    expect({ status: unavailable.status, code: unavailable.json()['Code'] }).toEqual({
      status: 503,
      code: 'ResourceThrottled',
    });
  });

  it('drops connections', async () => {
    await putFaults({ rules: [{ action: 'GetFunction', dropRate: 1 }] });
    await expect(call(t.emulator, 'GET', '/2023-03-30/functions/faulty', 'GetFunction')).rejects.toThrow(
      /socket hang up|ECONNRESET/,
    );
  });

  it('adds latency to CreateSession alone', async () => {
    await putFaults({ rules: [{ action: 'CreateSession', latencyMs: 1000 }] });
    // A GetFunction sent while a CreateSession waits out its latency is answered first.
    const ended: string[] = [];
    const started = Date.now();
    const created = call(t.emulator, 'POST', '/2023-03-30/functions/faulty/sessions', 'CreateSession', {}).then(
      (response) => {
        ended.push('CreateSession');
        return { status: response.status, ms: Date.now() - started };
      },
    );
    const got = await call(t.emulator, 'GET', '/2023-03-30/functions/faulty', 'GetFunction');
    ended.push('GetFunction');
    expect(got.status).toBe(200);
    const answer = await created;
    expect(answer.status).toBe(200);
    expect(answer.ms).toBeGreaterThanOrEqual(1000);
    expect(ended).toEqual(['GetFunction', 'CreateSession']);
  });

  it('is cleared by DELETE and validated on PUT', async () => {
    const bad = await sendAdmin(t.emulator, 'PUT', '/_emulator/faults', '{"rules":[{"throttleRate":2}]}');
    expect(bad.status).toBe(400);
    expect(bad.json()['Message']).toContain('rules[0].throttleRate');
    const cleared = await sendAdmin(t.emulator, 'DELETE', '/_emulator/faults');
    expect(cleared.json()).toEqual({ rules: [] });
    expect(await statuses(5)).toEqual([200, 200, 200, 200, 200]);
  });

  it('can be set programmatically', async () => {
    t.emulator.faults.set({ rules: [{ action: 'ListFunctions', throttleRate: 1 }] });
    expect(await statuses(1)).toEqual([429]);
    t.emulator.faults.clear();
    expect(t.emulator.faults.get()).toEqual({ rules: [] });
  });
});

describe('onRequest', () => {
  it('is told of each signed request, in order, whatever its faults; not of admin requests', async () => {
    const seen: string[] = [];
    const t = await startTestEmulator({
      onRequest: (action) => seen.push(action),
      faults: { rules: [{ unavailableRate: 1 }] },
    });
    try {
      expect((await call(t.emulator, 'GET', '/2023-03-30/functions', 'ListFunctions')).status).toBe(503);
      await call(t.emulator, 'GET', '/2023-03-30/functions/x', 'GetFunction');
      await sendAdmin(t.emulator, 'GET', '/_emulator/faults');
      expect(seen).toEqual(['ListFunctions', 'GetFunction']);
    } finally {
      await t.stop();
    }
  });
});
