// Mocha reporter for this repository: the usual spec output, then the counts
// written as JSON (for .ci/run) when RDC_TEST_RESULTS names a file.
'use strict';
const fs = require('node:fs');
const Mocha = require('mocha');

const { Spec } = Mocha.reporters;
const { EVENT_RUN_END, EVENT_TEST_FAIL } = Mocha.Runner.constants;

class SummaryReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    const failures = [];
    runner.on(EVENT_TEST_FAIL, (test, err) =>
      failures.push({ title: test.fullTitle(), message: String(err && err.message) }),
    );
    runner.once(EVENT_RUN_END, () => {
      const out = process.env.RDC_TEST_RESULTS;
      if (!out) return;
      const { passes, failures: failed, pending, tests } = runner.stats;
      fs.writeFileSync(out, JSON.stringify({ passes, failures: failed, pending, tests, failed: failures }, null, 2));
    });
  }
}

module.exports = SummaryReporter;
