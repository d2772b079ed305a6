/** The credential object Serverless Devs' `inputs.getCredential()` resolves to. */
export interface DevsCredential {
  AccountID?: string;
  AccessKeyID?: string;
  AccessKeySecret?: string;
  SecurityToken?: string;
}

/** What `s` (3.x) hands a component method or a plugin (see notes in the README). */
export interface DevsInputs {
  cwd?: string;
  name?: string;
  /** An object, or JSON text in `s cli` mode. */
  props?: Record<string, unknown> | string;
  command?: string;
  /** Raw argv after the command, `s`'s own flags (-o, -a, --silent, ...) included. */
  args?: string[];
  yaml?: { path?: string };
  resource?: { name?: string; component?: string; access?: string };
  getCredential?: () => Promise<DevsCredential>;
  /** In a `success-deploy` plugin: what the component's deploy returned. */
  output?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The logger `s` gives components and plugins (only the methods used here). */
export interface DevsLogger {
  info?(message: string): void;
  warn?(message: string): void;
  debug?(message: string): void;
  write?(message: string): void;
  error?(message: string): void;
}
