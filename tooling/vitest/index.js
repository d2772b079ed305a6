import { defineConfig } from 'vitest/config';

/**
 * The one vitest configuration every package uses. Tests live in `test/**\/*.test.ts`,
 * run in forked processes (they start servers and child processes), and never retry:
 * a flaky test is a bug to fix, not to hide.
 * @param {import('vitest/config').ViteUserConfig['test']} [overrides]
 */
export function vitestConfig(overrides = {}) {
  return defineConfig({
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
