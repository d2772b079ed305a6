import { makeZip as zipEntries } from '@fc-sessions/internals/zip-writer';

/** One file of `makeZip`: its content and, optionally, its Unix mode or no compression. */
export interface ZipFile {
  readonly content: string | Buffer;
  /** Unix permission bits, e.g. 0o755 for an executable. */
  readonly mode?: number;
  readonly store?: boolean;
}

/**
 * Zips function code given as a `{ path: content }` record:
 * `makeZip({ 'index.js': source }).toString('base64')` is a `code.zipFile`.
 */
export function makeZip(files: Record<string, string | ZipFile>): Buffer {
  return zipEntries(
    Object.entries(files).map(([name, spec]) => {
      const file = typeof spec === 'string' ? { content: spec } : spec;
      return { name, data: Buffer.from(file.content), mode: file.mode, store: file.store };
    }),
  );
}
