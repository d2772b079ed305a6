import entry = require('./dist/devs-component.cjs');
declare const main: typeof entry.default & { default: typeof entry.default };
export = main;
