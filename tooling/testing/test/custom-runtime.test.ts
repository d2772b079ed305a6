import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCustomRuntime } from '../src/custom-runtime.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fcs-testing-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('startCustomRuntime', () => {
  it('runs the program on FC_CUSTOM_LISTEN_PORT at 127.0.0.1 with the given env, then stops it', async () => {
    // Prepare
    const entry = join(dir, 'app.cjs');
    await writeFile(
      entry,
      `require('node:http').createServer((q, s) => s.end(process.env.GREETING + ' ' + process.env.FCS_LISTEN_HOST))
        .listen(Number(process.env.FC_CUSTOM_LISTEN_PORT), process.env.FCS_LISTEN_HOST);`,
    );

    // Act
    const runtime = await startCustomRuntime(entry, { GREETING: 'hi' });
    const text = await (await fetch(runtime.url)).text();
    await runtime.stop();

    // Assess
    expect(runtime.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(text).toBe('hi 127.0.0.1');
    await expect(fetch(runtime.url)).rejects.toThrow();
  });

  it('rejects, naming the program, when it exits before listening', async () => {
    const entry = join(dir, 'broken.cjs');
    await writeFile(entry, 'process.exit(7);');
    await expect(startCustomRuntime(entry)).rejects.toThrow(`${entry} exited with code 7 before listening`);
  });
});
