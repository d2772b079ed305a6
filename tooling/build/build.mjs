#!/usr/bin/env node
// Builds the package in the current directory: every src/**/*.ts file becomes dist/**/*.js (ESM)
// and dist/**/*.cjs (CommonJS), one output file per source file so that module identity is the
// same whichever entry a user imports. With --bundle, each "exports" entry is instead one
// self-contained file per format (faster to load; only for packages whose entries share no module
// state). Whitespace and syntax are minified; bundles also get short local identifiers, with
// esbuild's keepNames so stack traces and error class names stay readable (per-file output keeps
// its names: an app's own bundler minifies it, and could not drop keepNames' calls). tsc writes
// the declarations once, as .d.cts; each entry named by package.json "exports" and "types" also
// gets a .d.ts for `import`, which re-exports the same .d.cts files: one set of types whether a
// user imports or requires. The .d.cts files no entry reaches are dropped: "exports" is the only
// way in, so no user's TypeScript reads them, and one of them may name a private package.
// `__FCS_PACKAGE_VERSION__` in the source becomes package.json's "version". Finally every target
// named by package.json
// "exports", "main", "types" and "bin" must exist, and a published package must carry the
// repository's LICENSE. Imports of @fc-sessions/internals (private) are compiled into the output,
// every other package import stays an import; in a published package a declaration an entry
// reaches may name only the package itself, its dependencies and Node.js.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';
import { cjsImportMetaBanner, cjsImportMetaDefine } from './cjs-import-meta.mjs';

const pkgDir = process.cwd();
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const srcDir = join(pkgDir, 'src');
const outDir = join(pkgDir, 'dist');

function listSources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listSources(path);
    return /\.ts$/.test(entry.name) && !/\.(test|d)\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** Private workspace packages: compiled into each file that imports them, so never installed with it. */
const INLINED = /^@fc-sessions\/internals(\/|$)/;

const packageImports = {
  name: 'package-imports',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.kind === 'entry-point' || INLINED.test(args.path) ? undefined : { path: args.path, external: true },
    );
  },
};

const relativeImports = (ext) => ({
  name: 'relative-imports',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) =>
      args.kind === 'entry-point' || !args.importer.startsWith(srcDir)
        ? undefined
        : { path: args.path.replace(/\.js$/, ext), external: true },
    );
  },
});

function exportedSources(exportsMap) {
  return targets(exportsMap)
    .filter((target) => /^\.\/dist\/.+\.js$/.test(target))
    .map((target) => join(srcDir, target.slice('./dist/'.length).replace(/\.js$/, '.ts')));
}

const bundle = process.argv.includes('--bundle');
const entryPoints = bundle ? exportedSources(pkg.exports) : listSources(srcDir);
rmSync(outDir, { recursive: true, force: true });
const common = {
  entryPoints,
  outbase: srcDir,
  outdir: outDir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  define: { __FCS_PACKAGE_VERSION__: JSON.stringify(pkg.version) },
  minifyWhitespace: true,
  minifySyntax: true,
  ...(bundle && { minifyIdentifiers: true, keepNames: true }),
  logLevel: 'warning',
};
await Promise.all([
  build({
    ...common,
    format: 'esm',
    outExtension: { '.js': '.js' },
    plugins: bundle ? [packageImports] : [packageImports, relativeImports('.js')],
  }),
  build({
    ...common,
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    plugins: bundle ? [packageImports] : [packageImports, relativeImports('.cjs')],
    define: { ...common.define, ...cjsImportMetaDefine },
    banner: { js: cjsImportMetaBanner },
  }),
]);

const tsc = createRequire(join(pkgDir, 'package.json')).resolve('typescript/bin/tsc');
const declarations = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (declarations.status !== 0) process.exit(declarations.status ?? 1);

const entryDeclarations = new Set(
  [pkg.exports, pkg.types]
    .flatMap(targets)
    .filter((target) => target.endsWith('.d.ts'))
    .map((target) => join(pkgDir, target)),
);
for (const file of listDeclarations(outDir)) {
  const text = readFileSync(file, 'utf8').replace(/(from\s+|import\()(['"])(\.\.?\/[^'"]+)\.js\2/g, '$1$2$3.cjs$2');
  writeFileSync(file.replace(/\.d\.ts$/, '.d.cts'), text);
  if (entryDeclarations.has(file)) writeFileSync(file, esmDeclaration(file, text));
  else rmSync(file);
}

/**
 * An entry's .d.ts: the ESM face of its .d.cts. A default export is declared in the .d.ts itself,
 * since TypeScript reads an ES module's default import of a CommonJS file as its whole exports.
 */
function esmDeclaration(file, text) {
  if (!/^export default /m.test(text)) return `export * from './${basename(file, '.d.ts')}.cjs';\n`;
  return text;
}

/** The specifiers of a declaration file's imports, re-exports, `import()` types and `require`s. */
function declarationImports(file) {
  return [...readFileSync(file, 'utf8').matchAll(/(?:from\s+|import\(\s*|require\(\s*)['"]([^'"]+)['"]/g)].map(
    (m) => m[1],
  );
}
const declarationOf = (file, specifier) => resolve(dirname(file), specifier.replace(/\.(c?)js$/, '.d.$1ts'));

/** Every declaration file a user's TypeScript can reach from the package's types, and what it imports. */
function reachableDeclarations() {
  const queue = [pkg.exports, pkg.types]
    .flatMap(targets)
    .filter((target) => /\.d\.c?ts$/.test(target))
    .map((target) => join(pkgDir, target));
  const seen = new Map();
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file) || !existsSync(file)) continue;
    const specifiers = declarationImports(file);
    seen.set(file, specifiers);
    for (const specifier of specifiers.filter((s) => s.startsWith('.'))) queue.push(declarationOf(file, specifier));
  }
  return seen;
}
/** The package a bare specifier names: `@scope/name` or `name`, without a subpath. */
const packageName = (specifier) => specifier.split('/', specifier.startsWith('@') ? 2 : 1).join('/');
const resolvable = new Set([pkg.name, ...Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })]);
const reachable = reachableDeclarations();
for (const [file, specifiers] of reachable) {
  for (const specifier of specifiers) {
    if (specifier.startsWith('.')) {
      if (existsSync(declarationOf(file, specifier))) continue;
      console.error(`${pkg.name}: ${relative(pkgDir, file)} imports ${specifier}, which has no declaration file`);
      process.exit(1);
    }
    // A private package is never installed by a user: there only the inlined package must not be named.
    if (isBuiltin(specifier) || resolvable.has(packageName(specifier))) continue;
    if (pkg.private && !INLINED.test(specifier)) continue;
    const why = INLINED.test(specifier) ? 'is not published: declare the type here' : 'is not a dependency';
    console.error(`${pkg.name}: ${relative(pkgDir, file)} names ${specifier}, which ${why}`);
    process.exit(1);
  }
}
// "exports" is the only way into the package, so a declaration no entry reaches is one no user's TypeScript reads.
if (pkg.exports) for (const file of listDeclarations(outDir, '.d.cts')) if (!reachable.has(file)) rmSync(file);

function listDeclarations(dir, ext = '.d.ts') {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listDeclarations(path, ext);
    return entry.name.endsWith(ext) ? [path] : [];
  });
}

function targets(value) {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(targets);
  return [];
}
const missing = [pkg.exports, pkg.main, pkg.module, pkg.types, pkg.bin]
  .flatMap(targets)
  .filter((target) => !target.includes('*') && !existsSync(join(pkgDir, target)));
if (missing.length > 0) {
  console.error(`${pkg.name}: package.json names files the build did not produce: ${missing.join(', ')}`);
  process.exit(1);
}
const installed = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).filter((name) => INLINED.test(name));
if (installed.length > 0) {
  console.error(`${pkg.name}: ${installed.join(', ')} is compiled in, never installed: make it a devDependency`);
  process.exit(1);
}
const repositoryLicense = readFileSync(new URL('../../LICENSE', import.meta.url), 'utf8');
const licensePath = join(pkgDir, 'LICENSE');
if (!pkg.private && (!existsSync(licensePath) || readFileSync(licensePath, 'utf8') !== repositoryLicense)) {
  console.error(`${pkg.name}: LICENSE must be a copy of the repository's LICENSE (npm publishes it with the package)`);
  process.exit(1);
}
const shape = bundle ? `${entryPoints.length} bundled entries` : `${entryPoints.length} modules`;
console.log(`${pkg.name}: built ${shape} into ${relative(pkgDir, outDir)}/ (esm, cjs, d.cts, d.ts of the entries)`);
