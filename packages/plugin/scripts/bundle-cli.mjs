// After fcs-build: bundles the `fcs` command line (src/cli.ts with @fc-sessions/client and
// @fc-sessions/internals) into one CommonJS file, dist/fcs.cjs, for bin/fcs.cjs. One
// file starts measurably faster than the ~40 per-module files (the command is benchmarked against
// `s invoke`); the emulator itself stays external, loaded by `fcs emulator` only. Whitespace and syntax are
// minified (names are kept, so stack traces stay readable): less to read and parse on every start.
// The package's exports still point at the per-module build.
// The keeper function (src/keeper/handler.ts, with everything it imports) is bundled the same way into
// dist/keeper-function/index.js: the code the s plugin deploys as the keeper (handler index.handler).
//
// In fcs.cjs, src/commands/table.ts (every command, loaded with all of them) is replaced by the
// same table made here from the built COMMANDS: each entry's path, alias and summary as data, and
// a `load` that imports the one module exporting that command. esbuild runs a module reached only
// through `import()` when it is first imported, so `fcs invoke` runs the code of invoke alone,
// not that of prefetch, the keeper, prune, sessions, versions, aliases and tasks.
import { readFileSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { cjsImportMetaBanner, cjsImportMetaDefine } from '@fc-sessions/build/cjs-import-meta';
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  define: {
    __FCS_PACKAGE_VERSION__: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version),
    ...cjsImportMetaDefine,
  },
  banner: { js: cjsImportMetaBanner },
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};

async function commandTable() {
  const { COMMANDS } = await import('../dist/commands/index.js');
  const homes = new Map();
  for (const file of (await readdir('dist/commands')).filter((name) => name.endsWith('.js') && name !== 'index.js')) {
    for (const [name, value] of Object.entries(await import(`../dist/commands/${file}`))) {
      if (COMMANDS.includes(value)) homes.set(value, { file, name });
    }
  }
  const files = [...new Set([...homes.values()].map((home) => home.file))];
  const rows = COMMANDS.map((command) => {
    const home = homes.get(command);
    if (!home) throw new Error(`fcs bundle: no module of src/commands exports "${command.definition.path.join(' ')}"`);
    const { path, alias, summary } = command.definition;
    return [path, alias ?? null, summary, files.indexOf(home.file), home.name];
  });
  const modules = files.map((file) => `()=>import(${JSON.stringify(`./${file}`)})`);
  return `const modules=[${modules.join(',')}];export const COMMAND_TABLE=${JSON.stringify(rows)}.map(([path,alias,summary,module,name])=>({definition:alias===null?{path,summary}:{path,alias,summary},load:()=>modules[module]().then((m)=>m[name])}));`;
}

const commandTablePlugin = (contents) => ({
  name: 'command-table',
  setup(b) {
    b.onLoad({ filter: /[/\\]src[/\\]commands[/\\]table\.ts$/ }, (args) => ({
      contents,
      loader: 'js',
      resolveDir: args.path.replace(/[/\\]table\.ts$/, ''),
    }));
  },
});

await build({ ...common, entryPoints: ['src/keeper/handler.ts'], outfile: 'dist/keeper-function/index.js' });
// This package is "type": "module"; the keeper's folder (its deployed code) is CommonJS, as FC loads index.js.
writeFileSync('dist/keeper-function/package.json', '{ "type": "commonjs" }\n');
await build({
  ...common,
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/fcs.cjs',
  external: ['@fc-sessions/emulator'],
  // `import()` becomes `require` (of the emulator's CommonJS build): bin/fcs.cjs compiles the
  // bundle with `vm.Script` for its code cache (src/cli-start.ts), where `import()` needs a flag.
  supported: { 'dynamic-import': false },
  plugins: [commandTablePlugin(await commandTable())],
});
// What bin/fcs.cjs runs first: it compiles dist/fcs.cjs with its V8 code cache (src/cli-start.ts).
await build({ ...common, entryPoints: ['src/cli-start.ts'], outfile: 'dist/fcs-start.cjs', banner: {} });
