import type { Session } from './types.js';

/**
 * Makes a session's JuiceFS tokens non-enumerable: code still reads `mountPoint.token`, but
 * `JSON.stringify`, `console.log` and spreads of the mount point leave it out.
 */
export function hideSessionSecrets<T extends Session | undefined>(session: T): T {
  for (const point of session?.juiceFsConfig?.mountPoints ?? []) {
    if (point.token !== undefined) {
      Object.defineProperty(point, 'token', { value: point.token, enumerable: false, writable: true });
    }
  }
  return session;
}
