// After fcs-build: bundles the `fcs` command line (src/cli.ts with @fc-sessions/client) into one
// CommonJS file, dist/fcs.cjs, for bin/fcs.cjs. One file starts measurably faster than the ~40
// per-module files (the command is benchmarked against `s invoke`); the emulator stays a lazy
// external import. The package's exports still point at the per-module build.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/fcs.cjs',
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  external: ['@fc-sessions/emulator', '@fc-sessions/emulator/*'],
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: 'const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  logLevel: 'warning',
});
