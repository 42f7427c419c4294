#!/usr/bin/env node
import { UpToDate } from '@rdc/core';
import { ConfigError, errorMessage, versionRequested, versionText } from '@rdc/contracts';
import { createLogger } from '@rdc/logging';
import { createSink } from '@rdc/sinks';
import { LOCAL_HELP, parseLocalArgs } from './cli.js';
import { runLocal } from './run-local.js';
import { STATUS_HELP, statusCommand } from './status.js';
import { schemaCommand } from './schema-command.js';

async function main(argv: string[]): Promise<number> {
  if (versionRequested(argv)) {
    process.stdout.write(`${versionText(new URL('../package.json', import.meta.url))}\n`);
    return 0;
  }
  if (argv[0] === 'probe') {
    const { probeCommand } = await import('./probe-command.js');
    return probeCommand(argv.slice(1), { env: process.env, stdout: process.stdout, stderr: process.stderr });
  }
  if (argv[0] === 'schema') {
    process.stdout.write(`${schemaCommand(argv.slice(1), process.env)}\n`);
    return 0;
  }
  const command = parseLocalArgs(argv, process.env);
  if (command.kind === 'help') {
    process.stdout.write(`${LOCAL_HELP}\n`);
    return 0;
  }
  if (command.kind === 'status-help') {
    process.stdout.write(`${STATUS_HELP}\n`);
    return 0;
  }
  const log = createLogger({ base: { app: 'local' } });
  if (command.kind === 'status') {
    return statusCommand(command.args, createSink(command.args.sink), {
      stdout: process.stdout,
      stderr: process.stderr,
    });
  }
  const { code } = await runLocal(command.args, {
    env: process.env,
    log,
    stdout: process.stdout,
    stderr: process.stderr,
  });
  return code;
}

main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    if (error instanceof UpToDate) {
      process.stdout.write(`${error.message}\n`);
      process.exitCode = 0;
      return;
    }
    process.stderr.write(
      error instanceof ConfigError
        ? `error: ${errorMessage(error)}\n`
        : `failed: ${errorMessage(error)} npm start stopped and does not retry this: once the problem above has passed or is fixed, ` +
            'run the same command again (pages already landed are kept and not fetched again).\n',
    );
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  });
