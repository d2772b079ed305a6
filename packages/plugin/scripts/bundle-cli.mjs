// After fcs-build: bundles the `fcs` command line (src/cli.ts with @fc-sessions/client and
// @fc-sessions/internals) into one CommonJS file, dist/fcs.cjs, for bin/fcs.cjs. One
// file starts measurably faster than the ~40 per-module files (the command is benchmarked against
// `s invoke`); the emulator itself stays a lazy external import. Whitespace and syntax are
// minified (names are kept, so stack traces stay readable): less to read and parse on every start.
// The package's exports still point at the per-module build.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/fcs.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['@fc-sessions/emulator'],
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: 'const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
