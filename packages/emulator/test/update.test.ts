import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, deploy, invoke } from './helpers/api.js';
import { startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { NODE_HANDLER } from './helpers/functions.js';
import { zipBase64 } from './helpers/zip.js';

const FN = 'redeployed';
const HEADER = 'x-session-id';
const CODE = { 'index.js': NODE_HANDLER };
const CONFIG = {
  runtime: 'nodejs20',
  handler: 'index.handler',
  environmentVariables: { STAGE: 'one' },
  sessionAffinity: 'HEADER_FIELD',
  sessionAffinityConfig: JSON.stringify({ affinityHeaderFieldName: HEADER }),
};

describe('UpdateFunction and running instances', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startTestEmulator();
    await deploy(t.emulator, { functionName: FN, ...CONFIG }, CODE);
  });
  afterAll(async () => {
    await t?.stop();
  });

  const update = async (body: Record<string, unknown>) => {
    const response = await call(t.emulator, 'PUT', `/2023-03-30/functions/${FN}`, 'UpdateFunction', body);
    expect(response.status).toBe(200);
  };
  const instanceOf = async (sessionId: string) =>
    (await invoke(t.emulator, FN, 'x', { [HEADER]: sessionId })).headers['x-fc-instance-id'];

  it('keeps the instances and their sessions when nothing an instance runs with changed, drains them otherwise', async () => {
    // Prepare
    const created = await call(t.emulator, 'POST', `/2023-03-30/functions/${FN}/sessions`, 'CreateSession', {
      sessionId: 'warm-one',
    });
    const { containerId } = created.json<{ containerId: string }>();

    // Act: the same settings and the same code again, then only the description, then new settings
    await update({ ...CONFIG, code: { zipFile: zipBase64(CODE) } });
    await update({ description: 'a new description', sessionAffinityConfig: CONFIG.sessionAffinityConfig });
    const kept = await instanceOf('warm-one');
    const running = t.emulator.instances().map((i) => i.instanceId);
    await update({ environmentVariables: { STAGE: 'two' } });
    const moved = await instanceOf('warm-one');

    // Assess
    expect(kept).toBe(containerId);
    expect(running).toEqual([containerId]);
    expect(moved).not.toBe(containerId);
  });
});
