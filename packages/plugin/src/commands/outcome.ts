import { type ErrorSummary, exitCodeOf, summarizeError } from '../core/errors.js';
import { type FormatOptions, formatError, formatPrefetch } from '../core/format.js';
import { PrefetchError, type PrefetchResult } from '../core/prefetch.js';
import type { RunOutcome } from './define.js';

/** What a front door shows and returns for a failed command: the error, and the partial result of a prefetch. */
export function failureOutcome(
  error: unknown,
  format: FormatOptions = {},
): RunOutcome<{ error: ErrorSummary; result?: PrefetchResult }> {
  const summary = summarizeError(error);
  const errorText = formatError(summary, format);
  if (error instanceof PrefetchError) {
    return {
      data: { error: summary, result: error.result },
      text: formatPrefetch(error.result, format),
      errorText,
      exitCode: error.exitCode,
    };
  }
  return { data: { error: summary }, text: '', errorText, exitCode: exitCodeOf(error) };
}
