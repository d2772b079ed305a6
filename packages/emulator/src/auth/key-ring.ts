import { randomBytes } from 'node:crypto';
import type { Credentials } from '@fc-sessions/client/signing';

interface TemporaryKey {
  readonly secret: string;
  readonly securityToken: string;
  readonly expiresMs: number;
  /** Asked once the key has expired: true keeps it valid (the keys of a function's role, while it has that role). */
  readonly stillHeld?: (() => boolean) | undefined;
}

export interface TemporaryCredentials extends Credentials {
  readonly securityToken: string;
  readonly expiration: string;
}

/** The access keys the emulator accepts: its own key pair, extra configured keys, and STS keys it minted. */
export class KeyRing {
  private readonly permanent = new Map<string, string>();
  private readonly temporary = new Map<string, TemporaryKey>();

  constructor(keys: readonly Credentials[]) {
    for (const key of keys) {
      if (key.securityToken) {
        this.temporary.set(key.accessKeyId, {
          secret: key.accessKeySecret,
          securityToken: key.securityToken,
          expiresMs: Number.POSITIVE_INFINITY,
        });
      } else {
        this.permanent.set(key.accessKeyId, key.accessKeySecret);
      }
    }
  }

  readonly secretOf = (accessKeyId: string): string | undefined =>
    this.permanent.get(accessKeyId) ?? this.temporary.get(accessKeyId)?.secret;

  /** Why a verified request's security token is not acceptable, or undefined when it is. */
  tokenProblem(accessKeyId: string, securityToken: string | undefined): { code: string; message: string } | undefined {
    const temporary = this.temporary.get(accessKeyId);
    if (!temporary) {
      return securityToken
        ? { code: 'InvalidSecurityToken.Mismatch', message: 'a permanent access key was sent with a security token' }
        : undefined;
    }
    if (!securityToken)
      return { code: 'InvalidSecurityToken.Missing', message: 'this STS access key needs its security token' };
    if (securityToken !== temporary.securityToken)
      return {
        code: 'InvalidSecurityToken.Mismatch',
        message: 'the security token does not belong to this access key',
      };
    if (Date.now() > temporary.expiresMs && !temporary.stillHeld?.())
      return { code: 'InvalidSecurityToken.Expired', message: 'the security token has expired' };
    return undefined;
  }

  /**
   * Mints an STS-style key (`STS.` id, secret, security token) valid for `ttlSeconds`, and after
   * that for as long as `stillHeld` says (FC hands a running function fresh keys of its role; the
   * emulator keeps the ones it handed valid instead).
   */
  mint(ttlSeconds: number, stillHeld?: () => boolean): TemporaryCredentials {
    const accessKeyId = `STS.${randomBytes(12).toString('hex')}`;
    const accessKeySecret = randomBytes(24).toString('base64url');
    const securityToken = `CAIS${randomBytes(48).toString('base64url')}`;
    const expiresMs = Date.now() + ttlSeconds * 1000;
    this.temporary.set(accessKeyId, { secret: accessKeySecret, securityToken, expiresMs, stillHeld });
    return {
      accessKeyId,
      accessKeySecret,
      securityToken,
      expiration: new Date(expiresMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
  }
}
