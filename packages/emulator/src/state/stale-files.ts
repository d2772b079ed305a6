import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

const STATE_TEMP = /^state\.json\.[0-9a-f]+\.tmp$/;
const CODE_STAGING = /\.tmp-[0-9a-f]+$/;

/**
 * Removes what a killed emulator left half-written in `dataDir`: `state.json.*.tmp` files and
 * unpacked-code staging folders (`code/<function>/<crc>.tmp-*`). Runs with the data-dir lock held,
 * so nothing else is writing them.
 */
export async function removeStaleFiles(dataDir: string): Promise<void> {
  const names = await readdir(dataDir).catch(() => [] as string[]);
  await Promise.all(
    names.filter((name) => STATE_TEMP.test(name)).map((name) => rm(join(dataDir, name), { force: true })),
  );
  const code = join(dataDir, 'code');
  for (const fn of await readdir(code).catch(() => [] as string[])) {
    const versions = await readdir(join(code, fn)).catch(() => [] as string[]);
    await Promise.all(
      versions
        .filter((name) => CODE_STAGING.test(name))
        .map((name) => rm(join(code, fn, name), { recursive: true, force: true })),
    );
  }
}
