import type { Session } from '@fc-sessions/client';
import { describe, expect, it, vi } from 'vitest';
import {
  findKeeper,
  KEEPER_ID_PREFIX,
  keeperEnvironment,
  keeperEnvName,
  keeperFunctionName,
  readKeeperEnvironment,
  removeKeeper,
  shortestGapSeconds,
} from '../src/core/keeper-function.js';
import { adoptSessions } from '../src/core/listed-sessions.js';
import { keeperTimeout } from '../src/devs/keeper.js';
import { handler } from '../src/keeper/handler.js';
import { resolveSettings } from '../src/settings/resolve.js';

const hex = (n: number) => n.toString(16).padStart(32, '0');
const T0 = Date.parse('2026-12-01T00:00:00Z');
/**
 * FC as removeKeeper sees it: one function `chat--keeper` with `env` and the trigger fcs-keeper,
 * and `sessionIds` of chat@LATEST; `calls` records every delete in order.
 */
function removalFake(env: Record<string, string>, sessionIds: string[]) {
  const calls: string[] = [];
  let exists = true;
  const client = {
    getFunction: async (name: string) => {
      if (!exists) throw Object.assign(new Error('gone'), { code: 'FunctionNotFound', httpStatus: 404 });
      return { functionName: name, environmentVariables: env };
    },
    async *iterateTriggers() {
      if (exists) yield { triggerName: 'fcs-keeper' };
    },
    deleteTrigger: async (name: string, trigger: string) => void calls.push(`trigger ${name}/${trigger}`),
    deleteFunction: async (name: string) => {
      exists = false;
      calls.push(`function ${name}`);
    },
    async *iterateSessions() {
      for (const sessionId of sessionIds) yield { sessionId, functionName: 'chat' };
    },
    deleteSession: async (_: string, sessionId: string) => void calls.push(`session ${sessionId}`),
  };
  return { client: client as unknown as Parameters<typeof removeKeeper>[0], calls };
}

const session = (id: string, createdSecondsAgo: number, now: number, ttl = 60): Session => ({
  sessionId: id,
  functionName: 'chat',
  sessionStatus: 'Active',
  sessionTTLInSeconds: ttl,
  createdTime: new Date(now - createdSecondsAgo * 1000).toISOString(),
});

describe('the keeper function: its environment, its name, how it reads FC s list back', () => {
  it('names each setting FCS_KEEP_<UPPER_SNAKE>, from the settings declaration', () => {
    expect(keeperEnvName('sessionTTLInSeconds')).toBe('FCS_KEEP_SESSION_TTL_IN_SECONDS');
    expect(keeperEnvName('idPrefix')).toBe('FCS_KEEP_ID_PREFIX');
    expect(keeperEnvName('functionName')).toBe('FCS_KEEP_FUNCTION_NAME');
    expect(keeperEnvName('renewBeforeSeconds')).toBe('FCS_KEEP_RENEW_BEFORE_SECONDS');
  });

  it('reads back what the deploy wrote, checked; an error names the variable', () => {
    const env = keeperEnvironment({
      functionName: 'chat',
      qualifier: 'prod',
      count: 3,
      sessionTTLInSeconds: 600,
      renewBeforeSeconds: 60,
      keepAlive: 'invoke',
      trim: true,
      ossMountConfig: { mountPoints: [{ bucketName: 'b', bucketPath: '/u/{index}', mountDir: '/mnt/u' }] },
    });
    expect(env['FCS_KEEP_COUNT']).toBe('3');
    const settings = readKeeperEnvironment(env);
    expect(settings).toMatchObject({
      functionNames: ['chat'],
      qualifier: 'prod',
      count: 3,
      sessionTTLInSeconds: 600,
      renewBeforeSeconds: 60,
      keepAlive: 'invoke',
      trim: true,
      once: true,
      idPrefix: KEEPER_ID_PREFIX,
    });
    expect(settings.ossMountConfig).toEqual({
      mountPoints: [{ bucketName: 'b', bucketPath: '/u/{index}', mountDir: '/mnt/u' }],
    });
    expect(() => readKeeperEnvironment({ ...env, FCS_KEEP_COUNT: 'many' })).toThrow(
      '$FCS_KEEP_COUNT must be an integer from 0 to 1000; got "many"',
    );
    expect(() => readKeeperEnvironment({ FCS_KEEP_COUNT: '1' })).toThrow('$FCS_KEEP_FUNCTION_NAME is required');
    expect(() => readKeeperEnvironment({ ...env, FCS_KEEP_RENEW_BEFORE_SECONDS: '600' })).toThrow(
      '$FCS_KEEP_RENEW_BEFORE_SECONDS must be less than $FCS_KEEP_SESSION_TTL_IN_SECONDS (600)',
    );
  });

  it('names the keeper <function>--keeper, with --<qualifier> unless LATEST', () => {
    expect(keeperFunctionName('chat', 'LATEST')).toBe('chat--keeper');
    expect(keeperFunctionName('chat', 'prod')).toBe('chat--keeper--prod');
    expect(keeperFunctionName('x'.repeat(125), 'LATEST')).toBeUndefined();
  });

  it("times out a run before the schedule's next fire (the least gap between two), so runs never overlap", () => {
    // Prepare: cron schedules from a fixed time (a Monday), one in New York across the day its clock goes back
    const monday = Date.parse('2026-11-02T12:00:00Z');
    const beforeFallBack = Date.parse('2026-10-25T12:00:00Z');

    // Act / Assess: the least gap
    expect(shortestGapSeconds('@every 5m')).toBe(300);
    expect(shortestGapSeconds('0 */10 * * * *', monday)).toBe(600);
    expect(shortestGapSeconds('0 0 4 * * *', monday)).toBe(86_400);
    expect(shortestGapSeconds('0 59 23,0 * * *', monday)).toBe(3600);
    expect(shortestGapSeconds('0 0,1 4 * * MON', monday + 86_400_000)).toBe(60);
    expect(shortestGapSeconds('CRON_TZ=America/New_York 0 0,59 1 * * *', beforeFallBack)).toBe(60);
    expect(shortestGapSeconds('0 0 0 1 1 *', monday)).toBeGreaterThan(86_400 * 364);
    // ... and the keeper function's timeout: timeoutSeconds + 30 s, at most that gap (and FC's range)
    expect(keeperTimeout(600, '@every 1h')).toBe(630);
    expect(keeperTimeout(600, '@every 5m')).toBe(300);
    expect(keeperTimeout(60, '0 */10 * * * *')).toBe(90);
    expect(keeperTimeout(600, '@every 1s')).toBe(1);
  });

  it('a run that starts after the next fire was due (its fire time plus its timeout) skips, with no call', async () => {
    vi.stubEnv('FCS_KEEP_FUNCTION_NAME', 'chat');
    vi.stubEnv('FCS_KEEP_COUNT', '2');
    vi.stubEnv('FC_REGION', 'cn-hangzhou');
    vi.stubEnv('FCS_ENDPOINT', 'http://127.0.0.1:9');
    try {
      const event = (secondsAgo: number) =>
        Buffer.from(
          JSON.stringify({ triggerTime: new Date(Date.now() - secondsAgo * 1000).toISOString(), payload: '' }),
        );
      const context = { credentials: { accessKeyId: 'id', accessKeySecret: 'secret' }, function: { timeout: 2 } };
      await expect(handler(event(3), context)).resolves.toBeUndefined();
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('reads where it runs through the settings: FC context first, then the environment variables the declaration names', async () => {
    vi.stubEnv('FCS_KEEP_FUNCTION_NAME', 'chat');
    vi.stubEnv('FCS_KEEP_COUNT', '2');
    vi.stubEnv('FC_REGION', '');
    vi.stubEnv('ALIBABA_CLOUD_REGION_ID', '');
    const context = { credentials: { accessKeyId: 'id', accessKeySecret: 'secret' } };
    try {
      await expect(handler(undefined, context)).rejects.toThrow('context.region is required');
      vi.stubEnv('FC_REGION', 'not a region');
      await expect(handler(undefined, context)).rejects.toThrow('$FC_REGION must be');
      await expect(handler(undefined, { ...context, region: 'Mars' })).rejects.toThrow('context.region must be');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("finds its keeper by the declaration's defaults: no qualifier is LATEST, no id prefix is the keeper's", async () => {
    const env = keeperEnvironment({ functionName: 'chat', count: 1, idPrefix: '' });
    expect(env).toEqual({ FCS_KEEP_FUNCTION_NAME: 'chat', FCS_KEEP_COUNT: '1' });
    const client = { getFunction: async () => ({ functionName: 'chat--keeper', environmentVariables: env }) };
    await expect(findKeeper(client, 'chat', 'LATEST')).resolves.toEqual({ name: 'chat--keeper', env, warnings: [] });
    await expect(findKeeper(client, 'chat', 'prod')).resolves.toBeUndefined();
    const byHand = {
      getFunction: async () => ({
        functionName: 'chat--keeper',
        environmentVariables: { FCS_KEEP_FUNCTION_NAME: 'chat!' },
      }),
    };
    await expect(findKeeper(byHand, 'chat', 'LATEST')).resolves.toBeUndefined();
    expect(readKeeperEnvironment(env).idPrefix).toBe(KEEPER_ID_PREFIX);
  });

  it('checks args.keeper before any call, naming the nested field', () => {
    const read = (keeper: unknown) =>
      resolveSettings(['keeper'], [{ values: { keeper }, name: (key) => `args.${key}` }], { env: {} });
    expect(read({ schedule: '@every 5m', role: 'acs:ram::1:role/k' }).keeper).toEqual({
      schedule: '@every 5m',
      role: 'acs:ram::1:role/k',
    });
    expect(() => read({ schedule: '@every 0s' })).toThrow('args.keeper.schedule must be a whole number of seconds');
    expect(() => read({ schedule: '0 */5 * * *' })).toThrow('args.keeper.schedule must be');
    expect(() => read({ role: 'r' })).toThrow('args.keeper.schedule is required');
    expect(() => read({ schedule: '@every 5m', every: 1 })).toThrow(
      'args.keeper.every is not a known field (known: schedule, role, memorySize, enable)',
    );
    expect(() => read({ schedule: '@every 5m', memorySize: 64 })).toThrow(
      'args.keeper.memorySize must be an integer from 128 to 32768',
    );
    expect(() => read('@every 5m')).toThrow('args.keeper must be a mapping of schedule, role, memorySize, enable');
  });

  it('adopts only <idPrefix><32 hex> sessions; slots by age; past the renewal start they retire a grace after their replacement', () => {
    const now = T0;
    const rules = { idPrefix: 'k-', renewBeforeSeconds: 10, graceSeconds: 5 };
    const listed = [
      session(`k-${hex(1)}`, 55, now), // renewal starts at 50 s of its 60: retiring
      session(`k-${hex(2)}`, 20, now),
      session(`k-${hex(3)}`, 3, now), // made 2 s after hex(1)'s renewal start: its replacement
      session(`other-${hex(4)}`, 1, now),
      session('k-not-hex', 1, now),
      { ...session(`k-${hex(5)}`, 1, now), sessionStatus: 'Expired' as const },
    ];
    const records = adoptSessions(listed, rules, { revision: 'r1', lastModifiedMs: undefined }, now);
    expect(records.map((r) => [r.sessionId, r.index, r.state])).toEqual([
      [`k-${hex(2)}`, 0, 'active'],
      [`k-${hex(3)}`, 1, 'active'],
      [`k-${hex(1)}`, 2, 'retiring'],
    ]);
    expect(records[2]?.retireAt).toBe(new Date(now - 3000 + 5000).toISOString());
    expect(records.every((r) => r.functionRevision === 'r1')).toBe(true);
  });

  it('a retiring session with no replacement yet is not due; one made before the function changed is of an older revision', () => {
    const now = T0;
    const rules = { idPrefix: '', renewBeforeSeconds: 10, graceSeconds: 5 };
    const records = adoptSessions(
      [session(hex(1), 55, now), session(hex(2), 20, now)],
      rules,
      { revision: 'r2', lastModifiedMs: now - 30_000 },
      now,
    );
    expect(records.find((r) => r.sessionId === hex(1))).toMatchObject({ state: 'retiring', retireAt: undefined });
    expect(records.find((r) => r.sessionId === hex(2))?.functionRevision).toBe('r2');
    expect(records.find((r) => r.sessionId === hex(1))?.functionRevision).not.toBe('r2');
  });

  it('removes a keeper whose $FCS_KEEP_ID_PREFIX it refuses, all of it, deleting no session: not those of the default prefix', async () => {
    // Too long for the rule (32 at most): the keeper's runs fail on it, so it made no session under it.
    const env = { FCS_KEEP_FUNCTION_NAME: 'chat', FCS_KEEP_COUNT: '1', FCS_KEEP_ID_PREFIX: 'k'.repeat(40) };
    const { client, calls } = removalFake(env, [`${KEEPER_ID_PREFIX}${hex(2)}`, `other-${hex(3)}`, hex(4)]);
    const warnings: string[] = [];
    const removal = await removeKeeper(client, 'chat', 'LATEST', {
      concurrency: 2,
      onWarning: (w) => warnings.push(w),
    });
    expect(removal).toEqual({ functionName: 'chat--keeper', triggers: ['fcs-keeper'], deleted: [], failed: [] });
    expect(calls).toEqual(['trigger chat--keeper/fcs-keeper', 'function chat--keeper']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('chat--keeper: $FCS_KEEP_ID_PREFIX must be up to 32 of letters');
    expect(warnings[0]).toContain(`got "${'k'.repeat(40)}"`);
    expect(warnings[0]).toContain('deleting none of its sessions');
  });

  it('reports a keeper of this target whose $FCS_KEEP_QUALIFIER it refuses, and removes it; one made by hand is still left alone', async () => {
    const env = { FCS_KEEP_FUNCTION_NAME: 'chat', FCS_KEEP_COUNT: '1', FCS_KEEP_QUALIFIER: 'not a qualifier!' };
    const { client, calls } = removalFake(env, [`${KEEPER_ID_PREFIX}${hex(1)}`, `other-${hex(2)}`]);
    const warnings: string[] = [];
    const removal = await removeKeeper(client, 'chat', 'LATEST', {
      concurrency: 2,
      onWarning: (w) => warnings.push(w),
    });
    expect(removal?.deleted).toEqual([`${KEEPER_ID_PREFIX}${hex(1)}`]);
    expect(calls).toEqual([
      'trigger chat--keeper/fcs-keeper',
      'function chat--keeper',
      `session ${KEEPER_ID_PREFIX}${hex(1)}`,
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('chat--keeper: $FCS_KEEP_QUALIFIER must be');
    // invoke reads the keeper's sessions as the keeper does: the same variable is named, not skipped.
    const found = await findKeeper(removalFake(env, []).client, 'chat', 'LATEST');
    expect(found?.warnings[0]).toContain('$FCS_KEEP_QUALIFIER must be');
    expect(() => readKeeperEnvironment(env)).toThrow('$FCS_KEEP_QUALIFIER must be');

    const byHand = removalFake({ FCS_KEEP_FUNCTION_NAME: 'other', FCS_KEEP_QUALIFIER: 'not a qualifier!' }, [hex(1)]);
    await expect(removeKeeper(byHand.client, 'chat', 'LATEST', { concurrency: 2 })).resolves.toBeUndefined();
    expect(byHand.calls).toEqual([]);
  });
});
