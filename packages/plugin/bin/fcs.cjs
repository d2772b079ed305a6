#!/usr/bin/env node
'use strict';
require('../dist/fcs.cjs')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
