import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FcClient } from '@fc-sessions/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploy } from './helpers/api.js';
import { startTestEmulator, type TestEmulator, waitFor } from './helpers/emulator.js';
import { NODE_HANDLER, NODE_HTTP_HANDLER } from './helpers/functions.js';
import { send, sendSigned } from './helpers/raw.js';
import { fc, noRetry, type Sdk } from './helpers/sdk.js';

const FN = 'timed';
const WEB = 'web';

/** The events timer triggers handed the function, from its log ("handling <event>"). */
function firedEvents(lines: string[], triggerName: string): { triggerTime: string; payload: string }[] {
  return lines
    .map((line) => /handling (\{.*\})/.exec(line)?.[1])
    .filter((text): text is string => text !== undefined)
    .map((text) => JSON.parse(text))
    .filter((event) => event.triggerName === triggerName);
}

const timer = (triggerName: string, config: Record<string, unknown>) =>
  new fc.CreateTriggerRequest({
    body: new fc.CreateTriggerInput({ triggerName, triggerType: 'timer', triggerConfig: JSON.stringify(config) }),
  });

async function sdkError(call: Promise<unknown>): Promise<{ statusCode: number; code: string; message: string }> {
  const error = (await call.catch((e: unknown) => e)) as {
    statusCode: number;
    code: string;
    data?: { Message?: string };
    message: string;
  };
  return { statusCode: error.statusCode, code: error.code, message: error.data?.Message ?? error.message };
}

describe('triggers, driven by the official SDK', () => {
  let t: TestEmulator;
  let sdk: Sdk;
  let dataDir: string;
  const lines: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fcs-triggers-'));
    t = await startTestEmulator({ dataDir, onInstanceLog: (line) => lines.push(line) });
    sdk = t.sdk;
    await deploy(
      t.emulator,
      { functionName: FN, runtime: 'nodejs20', handler: 'index.handler' },
      {
        'index.js': NODE_HANDLER,
      },
    );
    await deploy(
      t.emulator,
      { functionName: WEB, runtime: 'nodejs20', handler: 'index.handler' },
      {
        'index.js': NODE_HTTP_HANDLER,
      },
    );
  });
  afterAll(async () => {
    await t?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('CreateTrigger, GetTrigger, ListTriggers (paged), UpdateTrigger, DeleteTrigger', async () => {
    const created = await sdk.createTrigger(FN, timer('nightly', { cronExpression: '0 0 4 * * *', enable: true }));
    expect(created.statusCode).toBe(200);
    expect(created.body).toMatchObject({
      triggerName: 'nightly',
      triggerType: 'timer',
      qualifier: 'LATEST',
      triggerConfig: JSON.stringify({ cronExpression: '0 0 4 * * *', enable: true }),
      targetArn: `acs:fc:${t.emulator.region}:${t.emulator.accountId}:functions/${FN}`,
    });
    expect(created.body?.triggerId).toMatch(/^[0-9a-f-]{36}$/);
    await sdk.createTrigger(FN, timer('weekly', { cronExpression: '0 0 4 ? * MON', enable: false }));

    const got = await sdk.getTrigger(FN, 'nightly');
    expect(got.body?.triggerId).toBe(created.body?.triggerId);

    const first = await sdk.listTriggers(FN, new fc.ListTriggersRequest({ limit: 1 }));
    expect(first.body?.triggers?.map((x) => x.triggerName)).toEqual(['nightly']);
    const second = await sdk.listTriggers(
      FN,
      new fc.ListTriggersRequest({ limit: 1, nextToken: first.body?.nextToken }),
    );
    expect(second.body?.triggers?.map((x) => x.triggerName)).toEqual(['weekly']);
    expect(second.body?.nextToken).toBeUndefined();
    const prefixed = await sdk.listTriggers(FN, new fc.ListTriggersRequest({ prefix: 'w' }));
    expect(prefixed.body?.triggers?.map((x) => x.triggerName)).toEqual(['weekly']);

    const updated = await sdk.updateTrigger(
      FN,
      'weekly',
      new fc.UpdateTriggerRequest({
        body: new fc.UpdateTriggerInput({
          description: 'on Sundays',
          triggerConfig: JSON.stringify({ cronExpression: '0 0 4 ? * SUN', enable: false }),
        }),
      }),
    );
    expect(updated.body).toMatchObject({ description: 'on Sundays', triggerConfig: expect.stringContaining('SUN') });

    await sdk.deleteTrigger(FN, 'weekly');
    await sdk.deleteTrigger(FN, 'nightly');
    expect((await sdk.listTriggers(FN, new fc.ListTriggersRequest({}))).body?.triggers).toEqual([]);
  });

  it('answers bad trigger requests with 4xx naming the field and the range', async () => {
    const cases: Array<[Promise<unknown>, number, string, string]> = [
      [
        sdk.createTrigger(FN, timer('bad', { cronExpression: '0 0 25 * * *' })),
        400,
        'InvalidArgument',
        'triggerConfig.cronExpression hours field "25" must hold values from 0 to 23',
      ],
      [
        sdk.createTrigger(FN, timer('9lives', { cronExpression: '@every 1m' })),
        400,
        'InvalidArgument',
        'triggerName must be 1-128 characters',
      ],
      [
        sdk.createTrigger(
          FN,
          new fc.CreateTriggerRequest({
            body: new fc.CreateTriggerInput({
              triggerName: 'h',
              triggerType: 'http',
              triggerConfig: JSON.stringify({ authType: 'anonymous', methods: ['GET', 'BREW'] }),
            }),
          }),
        ),
        400,
        'InvalidArgument',
        'triggerConfig.methods[1] must be one of GET, POST, PUT, DELETE, HEAD, PATCH, OPTIONS',
      ],
      [sdk.getTrigger(FN, 'nobody'), 404, 'TriggerNotFound', 'trigger "nobody" of function "timed" does not exist'],
      [sdk.getTrigger('no-such-fn', 'x'), 404, 'FunctionNotFound', 'function "no-such-fn" does not exist'],
    ];
    for (const [call, status, code, message] of cases) {
      const error = await sdkError(call);
      expect(error).toMatchObject({ statusCode: status, code });
      expect(error.message).toContain(message);
    }
    await sdk.createTrigger(FN, timer('twice', { cronExpression: '@every 1h' }));
    expect(
      await sdkError(sdk.createTriggerWithOptions(FN, timer('twice', { cronExpression: '@every 1h' }), {}, noRetry())),
    ).toMatchObject({ statusCode: 409, code: 'TriggerAlreadyExists' });
    await sdk.deleteTrigger(FN, 'twice');
  });

  it('fires a timer trigger on its @every schedule with its payload, and stops once disabled', async () => {
    await sdk.createTrigger(FN, timer('tick', { cronExpression: '@every 1s', enable: true, payload: 'warm-up' }));
    await waitFor(() => firedEvents(lines, 'tick').length >= 2, 10_000);
    const [a, b] = firedEvents(lines, 'tick');
    expect(a).toMatchObject({
      payload: 'warm-up',
      triggerTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    expect(Date.parse(b!.triggerTime) - Date.parse(a!.triggerTime)).toBe(1000);
    await sdk.deleteTrigger(FN, 'tick');

    // A trigger disabled before its first fire was due (so no fire of it can still be on its way), and
    // beside it a control on the same schedule made just after it: each control fire comes later
    // than the disabled trigger's would have, so two control fires outlast two of its due times.
    const disable = { cronExpression: '@every 1s', enable: false };
    let muted: string | undefined;
    for (let attempt = 0; muted === undefined; attempt++) {
      const name = `mute${attempt}`;
      const sent = Date.now();
      await sdk.createTrigger(FN, timer(name, { cronExpression: '@every 1s', enable: true }));
      await sdk.updateTrigger(
        FN,
        name,
        new fc.UpdateTriggerRequest({ body: new fc.UpdateTriggerInput({ triggerConfig: JSON.stringify(disable) }) }),
      );
      // Its first fire is due 1 s after its creation, which came after `sent`; slower than that, try again.
      if (Date.now() - sent < 1000) muted = name;
      else await sdk.deleteTrigger(FN, name);
      expect(attempt).toBeLessThan(5);
    }
    await sdk.createTrigger(FN, timer('control', { cronExpression: '@every 1s', enable: true }));
    await waitFor(() => firedEvents(lines, 'control').length >= 2, 10_000, 'two fires of the control trigger');
    expect(firedEvents(lines, muted)).toEqual([]);
    for (const name of [muted, 'control']) await sdk.deleteTrigger(FN, name);
  });

  it('fires a cron trigger every second ("* * * * * *"), and our client drives the same API', async () => {
    const client = new FcClient({ endpoint: t.emulator.endpoint, credentials: t.emulator.credentials, env: {} });
    try {
      await client.createTrigger(FN, {
        triggerName: 'cron',
        triggerType: 'timer',
        triggerConfig: { cronExpression: '* * * * * *', payload: 'each second' },
      });
      expect((await client.getTrigger(FN, 'cron')).triggerConfig).toEqual({
        cronExpression: '* * * * * *',
        payload: 'each second',
      });
      await waitFor(() => firedEvents(lines, 'cron').length >= 2, 10_000);
      expect(firedEvents(lines, 'cron')[0]).toMatchObject({ payload: 'each second' });
      await client.deleteTrigger(FN, 'cron');
    } finally {
      client.close();
    }
  });

  it('serves /http/{fn}/ only with an HTTP trigger, honouring its methods and authType', async () => {
    const refused = await send(t.emulator.endpoint, { method: 'GET', path: `/http/${WEB}/` });
    expect(refused.status).toBe(404);
    expect(refused.json()).toMatchObject({ Code: 'TriggerNotFound' });

    await sdk.createTrigger(
      WEB,
      new fc.CreateTriggerRequest({
        body: new fc.CreateTriggerInput({
          triggerName: 'public',
          triggerType: 'http',
          triggerConfig: JSON.stringify({ authType: 'anonymous', methods: ['GET'] }),
        }),
      }),
    );
    const got = await sdk.getTrigger(WEB, 'public');
    expect(got.body?.httpTrigger?.urlInternet).toBe(`${t.emulator.endpoint}/http/${WEB}`);
    expect((await send(t.emulator.endpoint, { method: 'GET', path: `/http/${WEB}/a` })).status).toBe(201);
    const post = await send(t.emulator.endpoint, { method: 'POST', path: `/http/${WEB}/a`, body: 'x' });
    expect(post.status).toBe(405);
    expect(post.json()).toMatchObject({ Code: 'MethodNotAllowed' });

    await sdk.updateTrigger(
      WEB,
      'public',
      new fc.UpdateTriggerRequest({
        body: new fc.UpdateTriggerInput({
          triggerConfig: JSON.stringify({ authType: 'function', methods: ['GET', 'POST'] }),
        }),
      }),
    );
    const unsigned = await send(t.emulator.endpoint, { method: 'POST', path: `/http/${WEB}/a`, body: 'x' });
    expect(unsigned.status).toBe(403);
    const forged = await sendSigned(
      t.emulator.endpoint,
      { accessKeyId: t.emulator.credentials.accessKeyId, accessKeySecret: 'not-the-secret-at-all-000000' },
      { method: 'POST', path: `/http/${WEB}/a`, action: 'HttpTrigger', body: 'x' },
    );
    expect(forged.status).toBe(403);
    const signed = await sendSigned(t.emulator.endpoint, t.emulator.credentials, {
      method: 'POST',
      path: `/http/${WEB}/a`,
      action: 'HttpTrigger',
      body: 'x',
    });
    expect(signed.status).toBe(201);
    expect(signed.json()).toMatchObject({ method: 'POST', path: '/a', body: 'x' });
  });

  it('runs the version or alias a trigger names (timer and HTTP), not LATEST', async () => {
    const PINNED = 'pinned';
    const code =
      "exports.handler = async (event) => { const text = event.toString(); if (text.startsWith('{\"version\"')) return { statusCode: 200, body: process.env.GREETING }; console.log('fired ' + process.env.GREETING + ' ' + text); return 'ok'; };";
    await deploy(
      t.emulator,
      {
        functionName: PINNED,
        runtime: 'nodejs20',
        handler: 'index.handler',
        environmentVariables: { GREETING: 'one' },
      },
      { 'index.js': code },
    );
    await sdk.publishFunctionVersion(
      PINNED,
      new fc.PublishFunctionVersionRequest({ body: new fc.PublishVersionInput({ description: 'one' }) }),
    );
    await sdk.createAlias(
      PINNED,
      new fc.CreateAliasRequest({ body: new fc.CreateAliasInput({ aliasName: 'prod', versionId: '1' }) }),
    );
    await sdk.updateFunction(
      PINNED,
      new fc.UpdateFunctionRequest({ body: new fc.UpdateFunctionInput({ environmentVariables: { GREETING: 'two' } }) }),
    );
    await sdk.createTrigger(
      PINNED,
      new fc.CreateTriggerRequest({
        body: new fc.CreateTriggerInput({
          triggerName: 'prod-tick',
          triggerType: 'timer',
          qualifier: 'prod',
          triggerConfig: JSON.stringify({ cronExpression: '@every 1s', payload: 'p' }),
        }),
      }),
    );
    await sdk.createTrigger(
      PINNED,
      new fc.CreateTriggerRequest({
        body: new fc.CreateTriggerInput({
          triggerName: 'prod-web',
          triggerType: 'http',
          qualifier: 'prod',
          triggerConfig: JSON.stringify({ authType: 'anonymous', methods: ['GET'] }),
        }),
      }),
    );
    await waitFor(() => lines.some((line) => line.includes('fired one {')), 10_000, 'the timer to run version 1');
    expect(lines.some((line) => line.includes('fired two'))).toBe(false);
    const web = await send(t.emulator.endpoint, { method: 'GET', path: `/http/${PINNED}/` });
    expect({ status: web.status, body: web.body.toString() }).toEqual({ status: 200, body: 'one' });
    await sdk.deleteFunction(PINNED);
  });

  it('keeps triggers across a restart (timers fire again) and drops them with their function', async () => {
    await sdk.createTrigger(FN, timer('survivor', { cronExpression: '@every 1s', payload: 'again' }));
    await t.stop();
    lines.length = 0;
    t = await startTestEmulator({ dataDir, onInstanceLog: (line) => lines.push(line) });
    sdk = t.sdk;
    const names = (await sdk.listTriggers(FN, new fc.ListTriggersRequest({}))).body?.triggers?.map(
      (x) => x.triggerName,
    );
    expect(names).toEqual(['survivor']);
    expect((await sdk.getTrigger(WEB, 'public')).body?.triggerConfig).toContain('"authType":"function"');
    await waitFor(() => firedEvents(lines, 'survivor').length >= 1, 10_000);

    await sdk.deleteFunction(FN);
    const gone = await sdkError(sdk.getTrigger(FN, 'survivor'));
    expect(gone).toMatchObject({ statusCode: 404, code: 'FunctionNotFound' });
    await deploy(
      t.emulator,
      { functionName: FN, runtime: 'nodejs20', handler: 'index.handler' },
      {
        'index.js': NODE_HANDLER,
      },
    );
    expect((await sdk.listTriggers(FN, new fc.ListTriggersRequest({}))).body?.triggers).toEqual([]);
  });
});
