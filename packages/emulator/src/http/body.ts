import type { IncomingMessage } from 'node:http';
import { entityTooLarge } from '../errors.js';

/** Reads the whole request body, refusing (EntityTooLarge, naming `what`) anything over `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number, what: string): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge(what, limit, declared));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        reject(tooLarge(what, limit, size));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

function tooLarge(what: string, limit: number, size: number) {
  return entityTooLarge(`${what} must be at most ${limit} bytes; got ${size > limit ? `more than ${limit}` : size}`);
}
