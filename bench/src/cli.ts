import { parseArgs } from 'node:util';
import type { ScenarioName } from './report.js';

export const HELP = `Usage: npm run bench -- [--quick] [--only S1,S2,S3,S4,Memory,Requests,Startup,Compaction] [--out-dir <folder>]

Measures the connector against the mock API (in its own process) and prints a table:
pages/s, records/s, ratio to the bound or ceiling, speedup over sequential, peak RSS,
and start-up times (--help, a push worker's first request from a cold start).
Writes the same figures as JSON, and the S1 timeline as SVG, to the results folder.

  --quick              Small sizes, seconds: proves the bench works (CI).
  --only <list>        Run only these scenarios (comma-separated).
  --out-dir <folder>   Where results go. Default: bench/results
  -h, --help           This help.

Exit code: 0 every scenario's output was complete, 1 something was incomplete or failed,
2 bad arguments.`;

export const SCENARIOS: readonly ScenarioName[] = [
  'S1',
  'S2',
  'S3',
  'S4',
  'Memory',
  'Requests',
  'Startup',
  'Compaction',
];

export interface BenchArgs {
  quick: boolean;
  only: ScenarioName[];
  outDir: string | undefined;
}

export class UsageError extends Error {}

/** Parses the command line; `help` when -h was given. */
export function parseBenchArgs(argv: string[]): BenchArgs | 'help' {
  let values: { quick?: boolean; only?: string; 'out-dir'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean' },
        only: { type: 'string' },
        'out-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. See --help.`);
  }
  if (values.help) return 'help';
  const only = (values.only ?? SCENARIOS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((name) => {
      const found = SCENARIOS.find((s) => s.toLowerCase() === name.toLowerCase());
      if (!found)
        throw new UsageError(`Unknown scenario "${name}" in --only; expected some of ${SCENARIOS.join(', ')}.`);
      return found;
    });
  return { quick: values.quick === true, only, outDir: values['out-dir'] };
}
