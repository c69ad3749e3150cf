#!/usr/bin/env node
'use strict';
// `churn-score` npm bin. The package ships TypeScript only, so tsx's CommonJS hook (a runtime
// dependency) compiles score.ts in memory on first load; startup costs about 0.15 s.
require('tsx/cjs');
const { main } = require('./score.ts');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 2;
  },
);
