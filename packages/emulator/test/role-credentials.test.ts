import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, deploy, invoke } from './helpers/api.js';
import { startTestEmulator, type TestEmulator } from './helpers/emulator.js';

/** Hands back the keys of its role, as a keeper function would use them to call FC. */
const KEYS_HANDLER = `exports.handler = async (event, context) => context.credentials;`;
const LIST = ['GET', '/2023-03-30/functions', 'ListFunctions'] as const;
const HOUR_MS = 3_600_000;

// A function with a role calls the emulator's own API with the STS keys it is handed
// (context.credentials). FC hands a running function fresh keys; the emulator keeps the ones it
// handed valid past their lifetime while the function exists with its role, and no longer.
describe('role credentials: the keys a function with a role is handed', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startTestEmulator({ roleCredentialSeconds: 60 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('sign calls to its API, stay valid past their lifetime while the function keeps its role, and expire once it is gone', async () => {
    await deploy(
      t.emulator,
      { functionName: 'keys', runtime: 'nodejs20', handler: 'index.handler', role: 'acs:ram::1:role/keeper' },
      { 'index.js': KEYS_HANDLER },
    );
    const answer = await invoke(t.emulator, 'keys', '');
    const keys = answer.json<{ accessKeyId: string; accessKeySecret: string; securityToken: string }>();
    expect(keys.accessKeyId).toMatch(/^STS\./);
    expect(keys.securityToken).toBeTruthy();
    const signed = { endpoint: t.emulator.endpoint, credentials: keys };
    expect((await call(signed, ...LIST)).status).toBe(200);

    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2 * HOUR_MS });
    expect((await call(signed, ...LIST)).status).toBe(200);

    vi.useRealTimers();
    expect((await call(t.emulator, 'DELETE', '/2023-03-30/functions/keys', 'DeleteFunction')).status).toBe(204);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2 * HOUR_MS });
    const expired = await call(signed, ...LIST);
    expect(expired.status).toBe(403);
    expect(expired.body.toString()).toContain('InvalidSecurityToken.Expired');
  });
});
