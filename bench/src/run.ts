#!/usr/bin/env node
import { runBench } from './bench.js';
import { HELP, parseBenchArgs, UsageError } from './cli.js';
import { formatTable } from './report.js';
import { writeResults } from './results.js';
import { DEFAULT_RESULTS_DIR } from './support/paths.js';

/** `npm run bench`: runs the scenarios, prints the table, writes JSON and SVG. Returns the exit code. */
async function run(argv: string[]): Promise<number> {
  const args = parseBenchArgs(argv);
  if (args === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const started = Date.now();
  const progress = (line: string): void => {
    const at = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
    process.stderr.write(`[bench ${at}s] ${line}\n`);
  };
  const report = await runBench(args, progress);
  const written = writeResults(report, args.outDir ?? DEFAULT_RESULTS_DIR);
  process.stdout.write(`\n${formatTable(report)}\n\n`);
  process.stdout.write(`JSON ${written.json}\n${written.svg ? `SVG  ${written.svg}\n` : ''}`);
  process.stdout.write(
    `${report.complete ? 'Every scenario landed complete output.' : 'INCOMPLETE output: see the table.'}\n`,
  );
  return report.complete ? 0 : 1;
}

run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    process.stderr.write(
      `${error instanceof UsageError ? 'error' : 'bench failed'}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = error instanceof UsageError ? 2 : 1;
  });
