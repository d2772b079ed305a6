import { FcClient } from '@fc-sessions/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestStore } from '../src/core/manifest.js';
import { prefetchSessions } from '../src/core/prefetch.js';
import { pruneSessions } from '../src/core/prune.js';
import { activeSessionIds, deployHello, startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { tempDirs } from './helpers/tmp.js';

describe('prefetch and prune under injected faults (503s and dropped connections)', () => {
  let emu: TestEmulator;
  const tmp = tempDirs();

  beforeAll(async () => {
    emu = await startTestEmulator({ maxInstancesPerFunction: 5 });
    await deployHello(emu.client, 'flaky');
  });
  afterAll(async () => {
    await emu?.stop();
    await tmp.cleanup();
  });

  it('still reaches N, the manifest matches what exists on the emulator, and prune leaves nothing behind', async () => {
    const manifestDir = await tmp.make();
    const client = new FcClient({
      endpoint: emu.emulator.endpoint,
      credentials: emu.emulator.credentials,
      retry: { maxAttempts: 10, baseDelayMs: 5, maxDelayMs: 50 },
    });
    const store = new ManifestStore(manifestDir, { region: 'cn-hangzhou', functionName: 'flaky', qualifier: 'LATEST' });
    emu.emulator.faults.set({ seed: 7, rules: [{ unavailableRate: 0.2, dropRate: 0.1 }] });
    try {
      const once = new FcClient({
        endpoint: emu.emulator.endpoint,
        credentials: emu.emulator.credentials,
        retry: false,
      });
      const probes = await Promise.allSettled(Array.from({ length: 20 }, () => once.getFunction('flaky')));
      once.close();
      expect(probes.filter((p) => p.status === 'rejected').length).toBeGreaterThan(0);

      const result = await prefetchSessions(client, {
        functionName: 'flaky',
        count: 12,
        concurrency: 4,
        manifestDir,
        region: 'cn-hangzhou',
      });
      expect(result).toMatchObject({ complete: true, failed: [] });
      expect(result.sessions).toHaveLength(12);

      emu.emulator.faults.clear();
      const recorded = (await store.load()).sessions;
      expect(recorded.every((s) => s.state === 'active')).toBe(true);
      expect(await activeSessionIds(emu.client, 'flaky')).toEqual(recorded.map((s) => s.sessionId).sort());

      emu.emulator.faults.set({ seed: 11, rules: [{ unavailableRate: 0.2, dropRate: 0.1 }] });
      const again = await prefetchSessions(client, {
        functionName: 'flaky',
        count: 12,
        manifestDir,
        region: 'cn-hangzhou',
      });
      expect(again).toMatchObject({ complete: true, created: [] });
      expect(again.reused).toHaveLength(12);

      const pruned = await pruneSessions(client, { functionName: 'flaky', manifestDir, region: 'cn-hangzhou' });
      expect(pruned).toMatchObject({ complete: true, failed: [], pending: [] });
      expect(pruned.deleted).toHaveLength(12);
    } finally {
      emu.emulator.faults.clear();
      client.close();
    }
    expect(await activeSessionIds(emu.client, 'flaky')).toEqual([]);
    expect((await store.load()).sessions).toEqual([]);
  });
});
