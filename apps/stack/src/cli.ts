import { ConfigError } from '@rdc/contracts';
import { ALIASES_HELP, parseFlags, RUN_DEFAULTS, type FlagSpecs } from '@rdc/runtime';

/** Every default of `npm run stack`, in one place; --help prints them from here. */
export const STACK_DEFAULTS = {
  /** `--workers`: worker processes. */
  workers: 2,
  /** `--mode`: how the workers take tasks. */
  mode: 'pull',
  /** `--sink` (RDC_SINK). */
  sink: RUN_DEFAULTS.sink,
  /** `--timeout`: seconds before the stack gives up on missing pages. */
  timeoutSeconds: 600,
  /** GOOGLE_CLOUD_PROJECT against the emulator. */
  projectId: 'local-project',
} as const;

export const STACK_HELP = `Usage: npm run stack -- --service <name> --endpoint <name> [options]

The distributed path on one machine, without Docker: the Pub/Sub emulator (or the one
PUBSUB_EMULATOR_HOST names), the topics and subscriptions of docker/pubsub-topology.txt,
worker processes, the planner, and the bundled mock API when the service is retail and
API_BASE_URL is not set. Shows progress, prints a summary, and stops everything it
started: on success, on failure and on Ctrl-C.

Stack:
  --workers <n>           Worker processes, 1 to 16. Default: ${STACK_DEFAULTS.workers}
  --mode pull|push        pull: the workers stream-pull rdc-pages-pull.
                          push: the emulator pushes rdc-pages-push to a loopback front end
                          that spreads the requests over the workers, as Cloud Run does.
                          Default: ${STACK_DEFAULTS.mode}
  --sink <url>            file:///abs/path, a folder or gs://bucket/prefix (env RDC_SINK).
                          Default: ${STACK_DEFAULTS.sink}
  --timeout <seconds>     Give up when pages are still missing after this long. Default: ${STACK_DEFAULTS.timeoutSeconds}
  --json                  Print the summary as JSON on stdout.
  -h, --help              This help.
  --version               Print the version and exit.

Passed on to the planner (see npm run planner -- --help):
  --service <name>, --endpoint <name>   Required.
  --start-date, --end-date, --end-granularity, --lookback, --slice, --allow-overlap
Passed on to the planner and the workers: --config-dir <path>. To the workers: --gzip.
${ALIASES_HELP}

Environment: PUBSUB_EMULATOR_HOST (use a running emulator), GOOGLE_CLOUD_PROJECT (default
${STACK_DEFAULTS.projectId}), API_BASE_URL, RETAIL_API_KEY, RDC_CONFIG_DIR, STORAGE_EMULATOR_HOST,
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
  /** Flags for the workers other than --mode (--config-dir, --gzip). */
  workerArgs: string[];
}

const TO_PLANNER = ['start-date', 'end-date', 'end-granularity', 'lookback', 'slice'] as const;

const FLAGS = {
  service: { type: 'string' },
  endpoint: { type: 'string' },
  ...Object.fromEntries(TO_PLANNER.map((k) => [k, { type: 'string' }])),
  'allow-overlap': { type: 'boolean' },
  'config-dir': { type: 'string' },
  gzip: { type: 'boolean' },
  workers: { type: 'string' },
  mode: { type: 'string' },
  sink: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies FlagSpecs;

function wholeNumber(flag: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max)
    throw new ConfigError(`${flag} must be a whole number from ${min} to ${max}, got "${raw}".`);
  return n;
}

/** Parses `npm run stack` flags. `help: true` means print STACK_HELP. Throws ConfigError (exit 2). */
export function parseStackArgs(argv: string[], env: NodeJS.ProcessEnv): { help: true } | ({ help: false } & StackArgs) {
  const { values } = parseFlags(argv, FLAGS);
  if (values['help']) return { help: true };
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? values[k] : undefined);
  const service = str('service');
  const endpoint = str('endpoint');
  if (!service || !endpoint)
    throw new ConfigError('--service and --endpoint are required, e.g. --service retail --endpoint sales. See --help.');
  const mode = str('mode') ?? STACK_DEFAULTS.mode;
  if (mode !== 'pull' && mode !== 'push') throw new ConfigError(`--mode must be pull or push, got "${mode}".`);
  const workers = wholeNumber('--workers', str('workers') ?? String(STACK_DEFAULTS.workers), 1, 16);
  const timeoutMs = wholeNumber('--timeout', str('timeout') ?? String(STACK_DEFAULTS.timeoutSeconds), 1, 86_400) * 1000;

  const configDir = str('config-dir');
  const shared = configDir ? ['--config-dir', configDir] : [];
  const plannerArgs = ['--service', service, '--endpoint', endpoint];
  for (const key of TO_PLANNER) {
    const value = str(key);
    if (value !== undefined) plannerArgs.push(`--${key}`, value);
  }
  if (values['allow-overlap']) plannerArgs.push('--allow-overlap');
  return {
    help: false,
    service,
    endpoint,
    workers,
    mode,
    sink: str('sink') ?? env['RDC_SINK'] ?? STACK_DEFAULTS.sink,
    timeoutMs,
    json: values['json'] === true,
    ...(configDir ? { configDir } : {}),
    plannerArgs: [...plannerArgs, ...shared],
    workerArgs: [...shared, ...(values['gzip'] ? ['--gzip'] : [])],
  };
}
