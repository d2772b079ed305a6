/** The client's `FcError`, recognised by name so that loading this module does not load the client. */
interface FcErrorLike extends Error {
  code: string;
  status: number | undefined;
  requestId: string | undefined;
  retryable: boolean;
  field: string | undefined;
  outcomeUnknown?: boolean | undefined;
}

function isFcError(error: unknown): error is FcErrorLike {
  return error instanceof Error && error.name === 'FcError' && typeof (error as { code?: unknown }).code === 'string';
}

/** Process exit codes of `fcs` (and of the Serverless Devs component with `-o json`). */
export const EXIT = {
  ok: 0,
  /** The function ran and failed (`x-fc-error-type`). */
  functionError: 1,
  /** A bad argument, option or configuration (nothing was sent), or no credentials. */
  usage: 2,
  /** FC answered with an error (not found, access denied, throttled, ...). */
  service: 3,
  /** No answer: network failure, timeout, abort. */
  network: 4,
  /** Prefetch or prune did not reach its goal (some sessions failed). */
  incomplete: 5,
  /** Stopped by SIGINT or SIGTERM; what was made is in the manifest. */
  interrupted: 130,
} as const;

export interface PluginErrorInit {
  code: string;
  message: string;
  field?: string | undefined;
  exitCode?: number | undefined;
  cause?: unknown;
}

/** An error of the plugin itself (bad argument, unsuitable function, incomplete prefetch, broken manifest). */
export class PluginError extends Error {
  override readonly name = 'PluginError';
  readonly code: string;
  readonly field: string | undefined;
  readonly exitCode: number;

  constructor(init: PluginErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.field = init.field;
    this.exitCode = init.exitCode ?? EXIT.usage;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, field: this.field };
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  if (value === null || typeof value !== 'object') return String(value);
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}

/** `<field> <rule>; got <value>`, the same shape as the client's own argument errors. */
export function invalidArgument(field: string, value: unknown, rule: string): PluginError {
  return new PluginError({ code: 'InvalidArgument', field, message: `${field} ${rule}; got ${show(value)}` });
}

/** `<field> is required: <what>`. */
export function missingArgument(field: string, what: string): PluginError {
  return new PluginError({ code: 'InvalidArgument', field, message: `${field} is required: ${what}` });
}

const NO_ANSWER = new Set(['NetworkError', 'RequestTimeout', 'Aborted']);
const USAGE = new Set(['InvalidArgument', 'CredentialsNotFound']);

/** The exit code an error stands for (see `EXIT`). */
export function exitCodeOf(error: unknown): number {
  if (error instanceof PluginError) return error.exitCode;
  if (isFcError(error)) {
    if (USAGE.has(error.code) && error.status === undefined) return EXIT.usage;
    if (NO_ANSWER.has(error.code)) return EXIT.network;
    return EXIT.service;
  }
  return EXIT.service;
}

/** What front doors show and return for a failure: never a stack, never a secret. */
export interface ErrorSummary {
  code: string;
  message: string;
  field?: string;
  status?: number;
  requestId?: string;
}

export function summarizeError(error: unknown): ErrorSummary {
  if (error instanceof PluginError || isFcError(error)) {
    const summary: ErrorSummary = { code: error.code, message: error.message };
    if (error.field !== undefined) summary.field = error.field;
    if (isFcError(error)) {
      if (error.status !== undefined) summary.status = error.status;
      if (error.requestId !== undefined) summary.requestId = error.requestId;
    }
    return summary;
  }
  return { code: 'Error', message: error instanceof Error ? error.message : String(error) };
}

/** 404 from FC: the session (or function) is not there. */
export function isNotFound(error: unknown): boolean {
  return isFcError(error) && error.status === 404;
}

/**
 * FC answered every attempt of the call with its error body (and no attempt went unanswered): the
 * call did nothing. A 409 is left out: it says the thing already exists.
 */
export function refusedOnEveryAttempt(error: unknown): boolean {
  return isFcError(error) && error.status !== undefined && error.status !== 409 && error.outcomeUnknown === false;
}

/** FC said no for good: a 4xx other than timeout, conflict and throttling. */
export function isDefinitiveRefusal(error: unknown): boolean {
  if (!isFcError(error)) return false;
  if (error.status === undefined) return error.code === 'InvalidArgument';
  return error.status >= 400 && error.status < 500 && ![408, 409, 429].includes(error.status) && !error.retryable;
}
