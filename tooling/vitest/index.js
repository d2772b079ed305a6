import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8'));

/**
 * The one vitest configuration every package uses. Tests live in `test/**\/*.test.ts`,
 * run in forked processes (they start servers and child processes), and never retry:
 * a flaky test is a bug to fix, not to hide. `__FCS_PACKAGE_VERSION__` is the package's version,
 * as fcs-build writes it in.
 * @param {import('vitest/config').ViteUserConfig['test']} [overrides]
 */
export function vitestConfig(overrides = {}) {
  return defineConfig({
    define: { __FCS_PACKAGE_VERSION__: JSON.stringify(version) },
    test: {
      include: ['test/**/*.test.ts'],
      pool: 'forks',
      testTimeout: 20_000,
      hookTimeout: 30_000,
      restoreMocks: true,
      ...overrides,
    },
  });
}

export default vitestConfig();
