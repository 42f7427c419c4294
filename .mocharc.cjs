// Mocha's settings for `npm test`. `npx mocha <files>` runs just those files: mocha adds
// spec files given on the command line to the configured spec, so the full spec applies
// only when no test file is named.
'use strict';
const named = process.argv.slice(2).some((arg) => /\.(test|suite)\.js$|\*/.test(arg));

module.exports = {
  ...(named ? {} : { spec: ['test/dist/**/*.test.js'] }),
  require: ['test/dist/support/hooks.js'],
  timeout: 30000,
  slow: 2000,
  'enable-source-maps': true,
  exit: false,
  reporter: 'test/support/summary-reporter.cjs',
};
