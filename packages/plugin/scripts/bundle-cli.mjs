// After fcs-build: bundles the `fcs` command line (src/cli.ts with @fc-sessions/client and
// @fc-sessions/internals) into one CommonJS file, dist/fcs.cjs, for bin/fcs.cjs. One
// file starts measurably faster than the ~40 per-module files (the command is benchmarked against
// `s invoke`); the emulator itself stays a lazy external import. Whitespace and syntax are
// minified (names are kept, so stack traces stay readable): less to read and parse on every start.
// The package's exports still point at the per-module build.
// The keeper function (src/keeper/handler.ts, with everything it imports) is bundled the same way into
// dist/keeper-function/index.js: the code the s plugin deploys as the keeper (handler index.handler).
import { writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: 'const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};

await build({ ...common, entryPoints: ['src/keeper/handler.ts'], outfile: 'dist/keeper-function/index.js' });
// This package is "type": "module"; the keeper's folder (its deployed code) is CommonJS, as FC loads index.js.
writeFileSync('dist/keeper-function/package.json', '{ "type": "commonjs" }\n');
await build({ ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/fcs.cjs', external: ['@fc-sessions/emulator'] });
