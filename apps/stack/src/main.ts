#!/usr/bin/env node
import { ConfigError, versionRequested, versionText } from '@rdc/contracts';
import { parseStackArgs, STACK_HELP } from './cli.js';
import { formatSummary } from './summary.js';
import { runStack } from './run-stack.js';

async function main(): Promise<number> {
  if (versionRequested(process.argv.slice(2))) {
    process.stdout.write(`${versionText(new URL('../package.json', import.meta.url))}\n`);
    return 0;
  }
  const args = parseStackArgs(process.argv.slice(2), process.env);
  if (args.help) {
    process.stdout.write(`${STACK_HELP}\n`);
    return 0;
  }
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) return;
    process.stderr.write(`stack: ${signal}: stopping everything it started\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const summary = await runStack(args, {
    env: process.env,
    report: (line) => process.stderr.write(`stack: ${line}\n`),
    signal: controller.signal,
  });
  process.stdout.write(args.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
  if (controller.signal.aborted) return 130;
  return summary.exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`stack: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  },
);
