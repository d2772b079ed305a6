import { randomBytes, timingSafeEqual } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../errors.js';
import { type ApiRequest, header } from '../http/api-request.js';

/** The cookie the dashboard keeps the token in (HttpOnly, SameSite=Strict, Path=/_emulator). */
export const ADMIN_COOKIE = 'fcs_admin';
/** `<dataDir>/admin-token`: the token for the project's own tools, mode 0600. */
export const ADMIN_TOKEN_FILE = 'admin-token';

function same(sent: string | undefined, token: string): boolean {
  if (sent === undefined) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(request: ApiRequest): string | undefined {
  for (const part of (header(request, 'cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === ADMIN_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** A random token, new at every start, that every `/_emulator/*` request must carry. */
export class AdminToken {
  readonly value = randomBytes(24).toString('base64url');

  /** The token a request carries: `Authorization: Bearer <token>`, else the dashboard's cookie. */
  carriedBy(request: ApiRequest): boolean {
    const authorization = header(request, 'authorization');
    if (authorization?.startsWith('Bearer ')) return same(authorization.slice(7).trim(), this.value);
    return same(cookieToken(request), this.value);
  }

  /** `?token=<token>` on the dashboard URL (the page then moves it into the cookie). */
  inQuery(value: string | null): boolean {
    return same(value ?? undefined, this.value);
  }

  check(request: ApiRequest): void {
    if (!this.carriedBy(request)) {
      throw new ApiError(
        403,
        'AccessDenied',
        'the admin API needs the admin token: send "Authorization: Bearer <token>" (the token is printed at start and kept in <dataDir>/admin-token)',
      );
    }
  }

  cookie(): string {
    return `${ADMIN_COOKIE}=${this.value}; Path=/_emulator; HttpOnly; SameSite=Strict`;
  }

  /** Writes `<dataDir>/admin-token` (0600), replacing one a previous run left. */
  async write(dataDir: string): Promise<void> {
    const file = join(dataDir, ADMIN_TOKEN_FILE);
    await rm(file, { force: true });
    await writeFile(file, `${this.value}\n`, { mode: 0o600, flag: 'wx' });
  }

  async remove(dataDir: string): Promise<void> {
    await rm(join(dataDir, ADMIN_TOKEN_FILE), { force: true });
  }

  toJSON(): string {
    return '[admin token]';
  }
}
