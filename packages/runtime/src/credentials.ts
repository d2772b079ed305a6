const REDACTED = '[redacted]';

/**
 * Temporary credentials of the function's role. Every value is readable in code, but the object
 * shows only `[redacted]` in `JSON.stringify`, `util.inspect` / `console.log` and string
 * conversion, and spreading or `Object.keys` finds nothing.
 */
export class Credentials {
  readonly #accessKeyId: string;
  readonly #accessKeySecret: string;
  readonly #securityToken: string | undefined;

  constructor(accessKeyId: string, accessKeySecret: string, securityToken?: string) {
    this.#accessKeyId = accessKeyId;
    this.#accessKeySecret = accessKeySecret;
    this.#securityToken = securityToken;
  }

  get accessKeyId(): string {
    return this.#accessKeyId;
  }

  get accessKeySecret(): string {
    return this.#accessKeySecret;
  }

  get securityToken(): string | undefined {
    return this.#securityToken;
  }

  toJSON(): Record<string, string> {
    const shown: Record<string, string> = { accessKeyId: REDACTED, accessKeySecret: REDACTED };
    if (this.#securityToken !== undefined) shown['securityToken'] = REDACTED;
    return shown;
  }

  toString(): string {
    return `Credentials ${REDACTED}`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
