import entry = require('./dist/serverless.cjs');
declare const main: typeof entry.default & { default: typeof entry.default };
export = main;
