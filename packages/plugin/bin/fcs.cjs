#!/usr/bin/env node
'use strict';
require('../dist/fcs-start.cjs')
  .startCli(require('node:path').join(__dirname, '..', 'dist', 'fcs.cjs'), process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
