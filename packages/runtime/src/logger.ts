import { format } from 'node:util';
import { currentInvocation } from './request.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LoggerOptions {
  /** The lowest level written; default `info`. */
  readonly level?: LogLevel;
  /** Where a finished line goes; default stdout (debug, info) and stderr (warn, error). */
  readonly write?: (line: string, level: LogLevel) => void;
}

export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

const RANKS: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

function writeStd(line: string, level: LogLevel): void {
  (RANKS[level] >= RANKS.warn ? process.stderr : process.stdout).write(`${line}\n`);
}

/**
 * A logger that writes FC's line format, `<ISO time> <requestId> [LEVEL] <message>`, taking the
 * request id from the current request (`-` outside one). Arguments are formatted like `console.log`.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const lowest = options.level ?? 'info';
  if (!Object.hasOwn(RANKS, lowest)) {
    throw new RangeError(`createLogger: level must be one of debug, info, warn, error (got ${String(lowest)})`);
  }
  const write = options.write ?? writeStd;
  const at =
    (level: LogLevel) =>
    (...args: unknown[]): void => {
      if (RANKS[level] < RANKS[lowest]) return;
      const requestId = currentInvocation()?.requestId ?? '-';
      write(`${new Date().toISOString()} ${requestId} [${level.toUpperCase()}] ${format(...args)}`, level);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The default logger: level `info`, stdout and stderr. */
export const logger: Logger = /* @__PURE__ */ createLogger();
