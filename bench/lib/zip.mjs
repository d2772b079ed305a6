import { makeZip } from '@fc-sessions/client/zip';

/** `{ 'index.js': 'source' }` -> base64 of a zip holding those files. */
export function zipBase64(files) {
  return makeZip(Object.entries(files).map(([name, text]) => ({ name, data: Buffer.from(text) }))).toString('base64');
}
