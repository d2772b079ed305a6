import { readdir, realpath } from 'node:fs/promises';
import { isAbsolute, join, posix, relative, resolve } from 'node:path';
import { invalidArgument } from '../errors.js';
import type { FunctionConfig } from '../model/function-config.js';

/** The handler fields of a nodejs* function and the module file each names (`dir/index.handler` -> `dir/index`). */
export function handlerFiles(config: FunctionConfig): Array<{ field: string; file: string }> {
  if (!config.runtime?.startsWith('nodejs')) return [];
  const handlers = [
    { field: 'handler', spec: config.handler },
    {
      field: 'instanceLifecycleConfig.initializer.handler',
      spec: config.instanceLifecycleConfig?.initializer?.handler,
    },
    { field: 'instanceLifecycleConfig.preStop.handler', spec: config.instanceLifecycleConfig?.preStop?.handler },
  ];
  return handlers.flatMap(({ field, spec }) =>
    spec ? [{ field, file: spec.lastIndexOf('.') > 0 ? spec.slice(0, spec.lastIndexOf('.')) : spec }] : [],
  );
}

/** Refuses (400 naming `field`) a module path whose text leaves the code folder, before any code is unpacked. */
export function checkHandlerText(config: FunctionConfig): void {
  for (const { field, file } of handlerFiles(config)) {
    const normal = posix.normalize(file.replaceAll('\\', '/'));
    if (isAbsolute(file) || normal === '..' || normal.startsWith('../')) {
      throw invalidArgument(`${field} must name a file inside the code folder; got "${file.slice(0, 80)}"`);
    }
  }
}

const inside = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** The files the Node.js host would try for a module path, as host/nodejs-host.cjs does. */
const candidates = (base: string) => [base, `${base}.js`, `${base}.mjs`, `${base}.cjs`, join(base, 'index.js')];

async function realOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await realpath(path);
  } catch {
    return undefined;
  }
}

/**
 * Resolves every handler's module with real paths (so a chain of symlinks counts where it ends)
 * and refuses, 400 naming the field, one that lands outside the code folder `codeDir`.
 */
export async function checkHandlerFiles(codeDir: string, config: FunctionConfig): Promise<void> {
  const root = await realpath(codeDir);
  for (const { field, file } of handlerFiles(config)) {
    for (const candidate of candidates(resolve(codeDir, file))) {
      const real = await realOrUndefined(candidate);
      if (real !== undefined && !inside(root, real)) {
        throw invalidArgument(
          `${field} must name a file inside the code folder; "${file.slice(0, 80)}" leads outside it`,
        );
      }
    }
  }
}

/** Refuses unpacked code in which a symlink, followed to its end through any chain, leaves `dir`. */
export async function checkSymlinks(dir: string): Promise<void> {
  const root = await realpath(dir);
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isSymbolicLink()) {
        const real = await realOrUndefined(path);
        if (real !== undefined && !inside(root, real)) {
          throw invalidArgument(
            `code.zipFile is not a usable zip: symlink "${relative(dir, path)}" leads outside the code folder`,
          );
        }
      }
    }
  };
  await walk(dir);
}
