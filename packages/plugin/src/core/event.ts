import { fstatSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { invalidArgument, PluginError } from './errors.js';

export interface EventInput {
  /** The event text (`-e`). */
  event?: string | undefined;
  /** A file with the event (`-f`); `-` reads standard input. */
  eventFile?: string | undefined;
  /** Relative event files are read from here. */
  baseDir: string;
  /** Read standard input when neither is given and it is a pipe or a file (not a terminal). */
  stdinWhenPiped?: boolean | undefined;
  stdin?: NodeJS.ReadableStream | undefined;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** Standard input is a pipe or a redirected file (a terminal, /dev/null or a socket is not read). */
export function stdinIsPiped(): boolean {
  try {
    const stat = fstatSync(0);
    return stat.isFIFO() || stat.isFile();
  } catch {
    return false;
  }
}

/** The invocation's event from `-e`, `-f <file>`, `-f -` or piped standard input; undefined for none. */
export async function readEvent(input: EventInput): Promise<string | Uint8Array | undefined> {
  if (input.event !== undefined && input.eventFile !== undefined) {
    throw invalidArgument('event', input.event, 'cannot be given together with eventFile; pick one');
  }
  if (input.event !== undefined) return input.event;
  const stdin = input.stdin ?? process.stdin;
  if (input.eventFile === '-') return readAll(stdin);
  if (input.eventFile !== undefined) {
    const path = resolve(input.baseDir, input.eventFile);
    try {
      return readFileSync(path);
    } catch (error) {
      throw new PluginError({
        code: 'EventFileNotFound',
        field: 'eventFile',
        message: `eventFile ${JSON.stringify(input.eventFile)} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}: ${path})`,
      });
    }
  }
  if (input.stdinWhenPiped && (input.stdin !== undefined || stdinIsPiped())) return readAll(stdin);
  return undefined;
}
