#!/usr/bin/env node
import { ConfigError, errorMessage, versionRequested, versionText } from '@rdc/contracts';
import { createLogger } from '@rdc/logging';
import { plannerFailure } from './failure.js';
import { runPlanner } from './run-planner.js';

async function main(): Promise<number> {
  if (versionRequested(process.argv.slice(2))) {
    process.stdout.write(`${versionText(new URL('../package.json', import.meta.url))}\n`);
    return 0;
  }
  // Created inside main: a bad LOG_LEVEL or LOG_FORMAT is a config error (exit 2), not a crash.
  const log = createLogger({ base: { app: 'planner' } });
  try {
    return await runPlanner(process.argv.slice(2), { env: process.env, log, stdout: process.stdout });
  } catch (error) {
    if (!(error instanceof ConfigError)) log.error(plannerFailure(error));
    throw error;
  }
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    if (error instanceof ConfigError) process.stderr.write(`error: ${errorMessage(error)}\n`);
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  });
