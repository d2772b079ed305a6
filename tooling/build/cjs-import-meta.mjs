// `import.meta.url` in a CommonJS build: replaced by a getter that makes the URL on first read,
// since most loads never read it and node:url's pathToFileURL costs on every start.
export const cjsImportMetaDefine = { 'import.meta.url': '__importMeta.url' };
export const cjsImportMetaBanner =
  'const __importMeta = { get url() { return require("node:url").pathToFileURL(__filename).href; } };';
