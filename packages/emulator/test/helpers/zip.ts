import { makeZip, type ZipFile } from '../../src/index.js';

export { makeZip, type ZipFile };
export const zipBase64 = (files: Record<string, string | ZipFile>): string => makeZip(files).toString('base64');
