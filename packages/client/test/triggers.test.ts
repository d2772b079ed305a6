import { describe, expect, it } from 'vitest';
import { type FcClient, FcError, nextFire, parseSchedule } from '../src/index.js';
import { acsVerifier, type Handler, sendJson, useTestServers } from './support/server.js';

const FN = 'my-func';
const TIMER = { cronExpression: '@every 5m', enable: true, payload: '{"keep":"warm"}' };
const HTTP = { authType: 'anonymous', methods: ['GET', 'POST'] } as const;
const wire = (name: string, type: string, config: unknown) => ({
  triggerName: name,
  triggerType: type,
  triggerConfig: JSON.stringify(config),
  triggerId: `id-${name}`,
  qualifier: 'LATEST',
  status: 'OK',
});

const servers = useTestServers();

async function setUp(handler: Handler, retry: false | { maxAttempts: number; baseDelayMs: number } = false) {
  return servers.start(handler, { retry });
}

describe('trigger operations: requests as the SDK sends them', () => {
  it('CreateTrigger posts the input with triggerConfig as JSON text, and answers it parsed', async () => {
    const { server, client } = await setUp((request, response) => {
      const body = JSON.parse(request.body.toString());
      sendJson(response, 200, { ...body, triggerId: 't-1', status: 'OK' });
    });
    const trigger = await client.createTrigger(FN, {
      triggerName: 'warm',
      triggerType: 'timer',
      triggerConfig: TIMER,
      qualifier: 'LATEST',
    });
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', path: `/2023-03-30/functions/${FN}/triggers` });
    expect(request?.headers['x-acs-action']).toBe('CreateTrigger');
    expect(acsVerifier()(request!).ok).toBe(true);
    expect(JSON.parse(request!.body.toString())).toEqual({
      triggerName: 'warm',
      triggerType: 'timer',
      triggerConfig: JSON.stringify(TIMER),
      qualifier: 'LATEST',
    });
    expect(trigger).toMatchObject({ triggerName: 'warm', triggerId: 't-1', triggerConfig: TIMER });
  });

  it('GetTrigger, UpdateTrigger and DeleteTrigger address /functions/{fn}/triggers/{name}', async () => {
    const { server, client } = await setUp((request, response) => {
      if (request.method === 'DELETE') {
        response.writeHead(204);
        response.end();
      } else sendJson(response, 200, wire('web', 'http', HTTP));
    });
    expect((await client.getTrigger(FN, 'web')).triggerConfig).toEqual(HTTP);
    await client.updateTrigger(FN, 'web', { triggerConfig: { ...HTTP, methods: ['GET'] }, description: 'get only' });
    await client.deleteTrigger(FN, 'web');
    expect(server.requests.map((r) => [r.method, r.path, r.headers['x-acs-action']])).toEqual([
      ['GET', `/2023-03-30/functions/${FN}/triggers/web`, 'GetTrigger'],
      ['PUT', `/2023-03-30/functions/${FN}/triggers/web`, 'UpdateTrigger'],
      ['DELETE', `/2023-03-30/functions/${FN}/triggers/web`, 'DeleteTrigger'],
    ]);
    expect(JSON.parse(server.requests[1]!.body.toString())).toEqual({
      triggerConfig: JSON.stringify({ ...HTTP, methods: ['GET'] }),
      description: 'get only',
    });
  });

  it('ListTriggers sends limit, prefix and nextToken; iterateTriggers follows every page', async () => {
    const { server, client } = await setUp((request, response) => {
      if (request.query['nextToken'] === undefined)
        sendJson(response, 200, { triggers: [wire('a', 'timer', TIMER)], nextToken: 'p2' });
      else sendJson(response, 200, { triggers: [wire('b', 'http', HTTP)] });
    });
    const page = await client.listTriggers(FN, { limit: 1, prefix: 'a' });
    expect(page).toMatchObject({ nextToken: 'p2', triggers: [{ triggerName: 'a', triggerConfig: TIMER }] });
    expect(server.requests[0]?.query).toEqual({ limit: '1', prefix: 'a' });
    const names: string[] = [];
    for await (const trigger of client.iterateTriggers(FN, { limit: 1 })) names.push(trigger.triggerName);
    expect(names).toEqual(['a', 'b']);
    expect(server.requests.slice(1).map((r) => r.query)).toEqual([{ limit: '1' }, { limit: '1', nextToken: 'p2' }]);
  });
});

describe('trigger operations: checked before any call', () => {
  const cases: Array<[string, (c: FcClient) => Promise<unknown>, string]> = [
    [
      'a trigger name starting with a digit',
      (c) => c.createTrigger(FN, { triggerName: '1st', triggerType: 'timer', triggerConfig: TIMER }),
      'triggerName must be 1-128 characters',
    ],
    [
      'an hour out of range',
      (c) =>
        c.createTrigger(FN, {
          triggerName: 't',
          triggerType: 'timer',
          triggerConfig: { cronExpression: '0 0 25 * * *' },
        }),
      'triggerConfig.cronExpression hours field "25" must hold values from 0 to 23',
    ],
    [
      'five cron fields',
      (c) =>
        c.createTrigger(FN, { triggerName: 't', triggerType: 'timer', triggerConfig: { cronExpression: '0 4 * * *' } }),
      'triggerConfig.cronExpression must be "@every <duration>" (e.g. @every 5m) or six cron fields',
    ],
    [
      'an @every without a unit',
      (c) => c.updateTrigger(FN, 't', { triggerConfig: { cronExpression: '@every 5' } }),
      'triggerConfig.cronExpression must be "@every <duration>" with h, m and s units',
    ],
    [
      'an unknown HTTP method',
      (c) =>
        c.createTrigger(FN, { triggerName: 'h', triggerType: 'http', triggerConfig: { methods: ['GET', 'FETCH'] } }),
      'triggerConfig.methods[1] must be one of GET, POST, PUT, DELETE, HEAD, PATCH, OPTIONS; got "FETCH"',
    ],
    [
      'an HTTP trigger without methods',
      (c) =>
        c.createTrigger(FN, {
          triggerName: 'h',
          triggerType: 'http',
          triggerConfig: { authType: 'anonymous' } as never,
        }),
      'triggerConfig.methods must list at least one of GET',
    ],
    [
      'an unknown authType',
      (c) => c.updateTrigger(FN, 'h', { triggerConfig: { authType: 'open', methods: ['GET'] } as never }),
      'triggerConfig.authType must be one of anonymous, function, jwt; got "open"',
    ],
    [
      'an unknown timer field',
      (c) =>
        c.createTrigger(FN, {
          triggerName: 't',
          triggerType: 'timer',
          triggerConfig: { cronExpression: '@every 1m', enabled: false },
        }),
      'triggerConfig.enabled is not a field of triggerConfig (known: cronExpression, enable, payload)',
    ],
    ['a list limit of 0', (c) => c.listTriggers(FN, { limit: 0 }), 'limit must be an integer from 1 to 100; got 0'],
    ['a bad function name', (c) => c.getTrigger('-fn', 't'), 'functionName must be 1-128 characters'],
  ];
  for (const [name, call, message] of cases) {
    it(`refuses ${name}`, async () => {
      const { server, client } = await setUp((_request, response) => sendJson(response, 200, {}));
      const error = await call(client).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FcError);
      expect((error as FcError).code).toBe('InvalidArgument');
      expect((error as FcError).message).toContain(message);
      expect(server.requests).toEqual([]);
    });
  }
});

describe('trigger operations: retries only where a repeat is harmless', () => {
  const failingFirst = (): Handler => {
    let seen = 0;
    return (request, response) => {
      seen += 1;
      if (seen === 1) sendJson(response, 503, { Code: 'ServiceUnavailable', Message: 'busy' });
      else if (request.method === 'DELETE') sendJson(response, 404, { Code: 'TriggerNotFound', Message: 'gone' });
      else sendJson(response, 200, wire('t', 'timer', TIMER));
    };
  };
  const retry = { maxAttempts: 3, baseDelayMs: 1 };

  it('retries GetTrigger, UpdateTrigger and ListTriggers; a retried DeleteTrigger that meets 404 succeeds', async () => {
    for (const call of [
      (c: FcClient) => c.getTrigger(FN, 't'),
      (c: FcClient) => c.updateTrigger(FN, 't', { description: 'x' }),
      (c: FcClient) => c.listTriggers(FN),
      (c: FcClient) => c.deleteTrigger(FN, 't'),
    ]) {
      const { server, client } = await setUp(failingFirst(), retry);
      await call(client);
      expect(server.requests).toHaveLength(2);
    }
  });

  it('does not repeat CreateTrigger after a failure', async () => {
    const { server, client } = await setUp(failingFirst(), retry);
    await expect(
      client.createTrigger(FN, { triggerName: 't', triggerType: 'timer', triggerConfig: TIMER }),
    ).rejects.toMatchObject({ status: 503 });
    expect(server.requests).toHaveLength(1);
  });
});

describe('timer schedules', () => {
  const at = (iso: string) => Date.parse(iso);
  const next = (expression: string, after: string, anchor?: string) =>
    new Date(
      nextFire(parseSchedule(expression), at(after), anchor === undefined ? undefined : at(anchor)) ?? 0,
    ).toISOString();

  it('@every counts whole periods from the anchor', () => {
    expect(parseSchedule('@every 1h30m')).toEqual({ kind: 'every', intervalSeconds: 5400 });
    expect(parseSchedule('@every 1.5h')).toEqual({ kind: 'every', intervalSeconds: 5400 });
    expect(next('@every 5m', '2026-01-01T00:07:00Z', '2026-01-01T00:00:00Z')).toBe('2026-01-01T00:10:00.000Z');
    expect(next('@every 2s', '2026-01-01T00:00:00Z')).toBe('2026-01-01T00:00:02.000Z');
  });

  it('cron: seconds minutes hours day-of-month month day-of-week, in UTC', () => {
    expect(next('0 0 4 * * *', '2026-01-01T04:00:00Z')).toBe('2026-01-02T04:00:00.000Z');
    expect(next('*/15 * * * * *', '2026-01-01T00:00:07Z')).toBe('2026-01-01T00:00:15.000Z');
    expect(next('0 30 9 ? * MON-FRI', '2026-01-02T10:00:00Z')).toBe('2026-01-05T09:30:00.000Z');
    expect(next('0 0 0 1 jan,jul ?', '2026-02-01T00:00:00Z')).toBe('2026-07-01T00:00:00.000Z');
    expect(next('0 0 12 29 2 ?', '2026-03-01T00:00:00Z')).toBe('2028-02-29T12:00:00.000Z');
    expect(nextFire(parseSchedule('0 0 0 31 2 *'), at('2026-01-01T00:00:00Z'))).toBeUndefined();
  });

  it('cron with CRON_TZ counts in that zone', () => {
    expect(next('CRON_TZ=Asia/Shanghai 0 0 8 * * *', '2026-01-01T01:00:00Z')).toBe('2026-01-02T00:00:00.000Z');
    expect(() => parseSchedule('CRON_TZ=Mars/Olympus 0 0 8 * * *')).toThrow('unknown time zone');
  });
});
