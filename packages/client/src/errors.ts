export interface FcErrorInit {
  code: string;
  message: string;
  status?: number | undefined;
  requestId?: string | undefined;
  retryable?: boolean | undefined;
  field?: string | undefined;
  /** See `FcError.outcomeUnknown`; default false. */
  outcomeUnknown?: boolean | undefined;
  cause?: unknown;
}

/**
 * The one error the client throws: a service answer (with `status`), a network failure
 * (`NetworkError`, `RequestTimeout`, with `cause`), an abort, or a bad argument caught before any
 * request (`InvalidArgument`, with `field`).
 */
export class FcError extends Error {
  override readonly name = 'FcError';
  readonly code: string;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly retryable: boolean;
  readonly field: string | undefined;
  /**
   * The call may have taken effect although it failed: an attempt got no answer (network error,
   * timeout, abort in flight) or an answer that is not FC's (no error code in its body). false:
   * every attempt was refused by FC with an error body, or nothing was sent.
   */
  readonly outcomeUnknown: boolean;

  constructor(init: FcErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status;
    this.requestId = init.requestId;
    this.retryable = init.retryable ?? false;
    this.field = init.field;
    this.outcomeUnknown = init.outcomeUnknown ?? false;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      requestId: this.requestId,
      retryable: this.retryable,
      field: this.field,
      outcomeUnknown: this.outcomeUnknown,
    };
  }
}

/** 429, any code containing `Throttling`, and 5xx mean "try again later". */
export function isRetryableStatus(status: number, code: string): boolean {
  return status === 429 || status >= 500 || code.includes('Throttling');
}

function pick(body: Record<string, unknown>, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = body[key];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
}

/**
 * Reads an error answer: FC 3.0 `{Code,Message,RequestId}` in any letter case, FC 2.0
 * `{errorCode,errorMessage}`, or a body that is not JSON.
 */
export function errorFromResponse(status: number, body: string, headerRequestId: string | undefined): FcError {
  let parsed: Record<string, unknown> | undefined;
  try {
    const value: unknown = JSON.parse(body);
    if (value && typeof value === 'object' && !Array.isArray(value)) parsed = value as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  const fcCode = parsed && pick(parsed, 'Code', 'code', 'errorCode', 'ErrorCode');
  const code = fcCode ?? `Http${status}`;
  const text = body.trim().slice(0, 300);
  const message =
    (parsed && pick(parsed, 'Message', 'message', 'errorMessage', 'ErrorMessage')) ??
    (text ? `HTTP ${status}: ${text}` : `HTTP ${status} with an empty body`);
  const requestId = (parsed && pick(parsed, 'RequestId', 'requestId', 'requestID')) ?? headerRequestId;
  return new FcError({
    code,
    message,
    status,
    requestId,
    retryable: isRetryableStatus(status, code),
    outcomeUnknown: fcCode === undefined,
  });
}

const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);

/** Failures that happen before a request can reach the server: it cannot have acted on it. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENOTFOUND']);

/** Wraps a transport failure; resets, refusals and timeouts are retryable, the cause is kept. */
export function networkError(cause: unknown, target: string): FcError {
  const code = (cause as { code?: unknown } | null)?.code;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new FcError({
    code: 'NetworkError',
    message: `Request to ${target} failed: ${detail}`,
    retryable: typeof code === 'string' ? RETRYABLE_NETWORK_CODES.has(code) : detail.includes('socket hang up'),
    outcomeUnknown: !(typeof code === 'string' && NOT_SENT_CODES.has(code)),
    cause,
  });
}
