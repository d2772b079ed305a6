import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Reply } from '../http/reply.js';

/** The dashboard's own files, shipped as they are in the package's `ui/` folder (no build step). */
export const DASHBOARD_FILES = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
} as const;
export type DashboardFile = keyof typeof DASHBOARD_FILES;

const loaded = new Map<DashboardFile, { plain: Buffer; gzip: Buffer }>();

export function dashboardFilePath(name: DashboardFile): string {
  return fileURLToPath(new URL(`../../ui/${name}`, import.meta.url));
}

/** One dashboard file, gzipped when the browser accepts it; read and compressed once. */
export function dashboardFile(name: DashboardFile, acceptEncoding: string | undefined): Reply {
  let file = loaded.get(name);
  if (!file) {
    const plain = readFileSync(dashboardFilePath(name));
    file = { plain, gzip: gzipSync(plain) };
    loaded.set(name, file);
  }
  const gzip = /\bgzip\b/.test(acceptEncoding ?? '');
  return {
    status: 200,
    headers: {
      'content-type': DASHBOARD_FILES[name],
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    },
    body: gzip ? file.gzip : file.plain,
  };
}
