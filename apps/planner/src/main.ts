#!/usr/bin/env node
import { ConfigError, errorMessage } from '@rdc/contracts';
import { createLogger } from '@rdc/logging';
import { runPlanner } from './run-planner.js';

const log = createLogger({ base: { app: 'planner' } });
runPlanner(process.argv.slice(2), { env: process.env, log, stdout: process.stdout })
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    if (error instanceof ConfigError) process.stderr.write(`error: ${errorMessage(error)}\n`);
    else log.error(errorMessage(error));
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  });
