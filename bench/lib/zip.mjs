import { makeZip } from '@fc-sessions/emulator';

/** `{ 'index.js': 'source' }` -> base64 of a zip holding those files. */
export function zipBase64(files) {
  return makeZip(files).toString('base64');
}
