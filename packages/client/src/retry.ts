import { integerIn } from './validate.js';

export interface RetryOptions {
  /** Attempts in all, the first included; default 3, range [1, 10]. */
  maxAttempts?: number;
  /** Default 100 ms. */
  baseDelayMs?: number;
  /** Default 5000 ms. */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 5000 };
export const NO_RETRY: Required<RetryOptions> = { ...DEFAULT_RETRY, maxAttempts: 1 };

export function retryPolicy(
  options: RetryOptions | boolean | undefined,
  fallback: Required<RetryOptions>,
): Required<RetryOptions> {
  if (options === undefined) return fallback;
  if (typeof options === 'boolean') return options ? DEFAULT_RETRY : NO_RETRY;
  const policy = { ...DEFAULT_RETRY, ...options };
  integerIn('retry.maxAttempts', policy.maxAttempts, 1, 10);
  integerIn('retry.baseDelayMs', policy.baseDelayMs, 0, 60_000);
  integerIn('retry.maxDelayMs', policy.maxDelayMs, 0, 300_000);
  return policy;
}

/** Exponential backoff with full jitter: a random delay in [0, min(max, base * 2^(attempt-1))). */
export function backoffDelay(
  attempt: number,
  policy: Required<RetryOptions>,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
