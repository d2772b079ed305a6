'use strict';
// CommonJS entry: module.exports is the export itself (what s / serverless load), with .default for interop.
const entry = require('./dist/serverless.cjs').default;
module.exports = entry;
module.exports.default = entry;
