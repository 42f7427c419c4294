import { parseArgs } from 'node:util';
import { ConfigError } from '@rdc/contracts';

export const STACK_HELP = `Usage: npm run stack -- --service <name> --endpoint <name> [options]

The distributed path on one machine, without Docker: the Pub/Sub emulator (or the one
PUBSUB_EMULATOR_HOST names), the topics and subscriptions of docker/pubsub-topology.txt,
worker processes, the planner, and the bundled mock API when the service is retail and
API_BASE_URL is not set. Shows progress, prints a summary, and stops everything it
started: on success, on failure and on Ctrl-C.

Stack:
  --workers <n>           Worker processes, 1 to 16. Default: 2
  --mode pull|push        pull: the workers stream-pull rdc-pages-pull.
                          push: the emulator pushes rdc-pages-push to a loopback front end
                          that spreads the requests over the workers, as Cloud Run does.
                          Default: pull
  --sink <url>            file:///abs/path, a folder or gs://bucket/prefix (env RDC_SINK).
                          Default: ./data
  --timeout <seconds>     Give up when pages are still missing after this long. Default: 600
  --json                  Print the summary as JSON on stdout.
  -h, --help              This help.

Planner flags, passed on (see npm run planner -- --help):
  --service <name>, --endpoint <name>   Required.
  --start_date, --end_date, --end_granularity, --lookback, --slice, --config-dir, --gzip

Environment: PUBSUB_EMULATOR_HOST (use a running emulator), GOOGLE_CLOUD_PROJECT (default
local-project), API_BASE_URL, RETAIL_API_KEY, RDC_CONFIG_DIR, STORAGE_EMULATOR_HOST,
MOCK_* (the mock API), LOG_LEVEL and LOG_FORMAT (the apps' logs, shown when one fails).

Exit codes: 0 every page landed, 1 failed (pages dead-lettered or missing, a process
died), 2 bad arguments, 130 interrupted.`;

export interface StackArgs {
  service: string;
  endpoint: string;
  workers: number;
  mode: 'pull' | 'push';
  /** As given (a URL or a folder); resolved by the caller. */
  sink: string;
  timeoutMs: number;
  json: boolean;
  configDir?: string;
  /** Flags for the planner other than --sink, --queue, --topic and --json. */
  plannerArgs: string[];
  /** Flags the workers share with the planner (--config-dir, --gzip). */
  workerArgs: string[];
}

const PASSED_ON = ['start_date', 'end_date', 'end_granularity', 'lookback', 'slice', 'config-dir'] as const;

const OPTIONS = {
  service: { type: 'string' },
  endpoint: { type: 'string' },
  workers: { type: 'string' },
  mode: { type: 'string' },
  sink: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  gzip: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  ...Object.fromEntries(PASSED_ON.map((k) => [k, { type: 'string' }])),
} as const;

function wholeNumber(flag: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max)
    throw new ConfigError(`${flag} must be a whole number from ${min} to ${max}, got "${raw}".`);
  return n;
}

/** Parses `npm run stack` flags. `help: true` means print STACK_HELP. Throws ConfigError (exit 2). */
export function parseStackArgs(argv: string[], env: NodeJS.ProcessEnv): { help: true } | ({ help: false } & StackArgs) {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. See npm run stack -- --help.`);
  }
  if (values['help']) return { help: true };
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? values[k] : undefined);
  const service = str('service');
  const endpoint = str('endpoint');
  if (!service || !endpoint)
    throw new ConfigError('--service and --endpoint are required, e.g. --service retail --endpoint sales. See --help.');
  const mode = str('mode') ?? 'pull';
  if (mode !== 'pull' && mode !== 'push') throw new ConfigError(`--mode must be pull or push, got "${mode}".`);
  const workers = wholeNumber('--workers', str('workers') ?? '2', 1, 16);
  const timeoutMs = wholeNumber('--timeout', str('timeout') ?? '600', 1, 86_400) * 1000;

  const shared: string[] = [];
  const configDir = str('config-dir');
  if (configDir) shared.push('--config-dir', configDir);
  if (values['gzip']) shared.push('--gzip');
  const plannerArgs = ['--service', service, '--endpoint', endpoint];
  for (const key of PASSED_ON.filter((k) => k !== 'config-dir')) {
    const value = str(key);
    if (value !== undefined) plannerArgs.push(`--${key}`, value);
  }
  return {
    help: false,
    service,
    endpoint,
    workers,
    mode,
    sink: str('sink') ?? env['RDC_SINK'] ?? './data',
    timeoutMs,
    json: values['json'] === true,
    ...(configDir ? { configDir } : {}),
    plannerArgs: [...plannerArgs, ...shared],
    workerArgs: shared,
  };
}
