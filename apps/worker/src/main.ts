#!/usr/bin/env node
import { ConfigError, errorMessage, versionRequested, versionText } from '@rdc/contracts';
import { createLogger } from '@rdc/logging';
import { parseWorkerConfig, WORKER_HELP } from './config.js';
import { startWorker } from './run-worker.js';

let log: ReturnType<typeof createLogger> | undefined;

async function main(): Promise<void> {
  if (versionRequested(process.argv.slice(2))) {
    process.stdout.write(`${versionText(new URL('../package.json', import.meta.url))}\n`);
    return;
  }
  const command = parseWorkerConfig(process.argv.slice(2), process.env);
  if (command.help) {
    process.stdout.write(`${WORKER_HELP}\n`);
    return;
  }
  const logger = createLogger({ base: { app: 'worker' } });
  log = logger;
  const worker = await startWorker(command.config, process.env, logger, (reason) => {
    logger.error(`Worker cannot take work any more (${reason}); exiting so it is restarted`);
    setImmediate(() => process.exit(1));
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: no new work; finishing in-flight pages`);
    worker
      .stop()
      .then(() => {
        logger.info('Worker stopped');
        // Pages still running past the grace period are abandoned: nothing of
        // them was written (writes are atomic), and Pub/Sub redelivers them.
        setImmediate(() => process.exit(0));
      })
      .catch((error: unknown) => {
        logger.error(`Shutdown failed: ${errorMessage(error)}`);
        process.exitCode = 1;
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || !log) process.stderr.write(`error: ${errorMessage(error)}\n`);
  else log.error(errorMessage(error));
  process.exitCode = error instanceof ConfigError ? 2 : 1;
});
