import { createRequire } from 'node:module';

let required: NodeJS.Require | undefined;

/**
 * A Node built-in, for code that loads one on first use (`node:crypto` or `node:http` cost about
 * as much to load as a whole small client): through `process.getBuiltinModule` (Node 20.16+),
 * else a `require` made once from this file's URL. Not `import()`: a dynamic import starts Node's
 * ESM loader in a CommonJS process (such as a bundled CLI), which costs more than the module.
 */
export function loadBuiltin(id: string): unknown {
  if (typeof process.getBuiltinModule === 'function') return process.getBuiltinModule(id);
  required ??= createRequire(import.meta.url);
  return required(id);
}
