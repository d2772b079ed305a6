import entry = require('./dist/devs-plugin.cjs');
declare const main: typeof entry.default & { default: typeof entry.default };
export = main;
