import { ConfigError, errorMessage, formatDuration } from '@rdc/contracts';
import { DEFAULT_SLICE, parseRunId } from '@rdc/core';
import { parseLogSettings } from '@rdc/logging';
import { MEMORY_QUEUE_DEFAULTS } from '@rdc/queues';
import {
  ALIASES_HELP,
  COMMON_FLAGS,
  Inputs,
  parseCommon,
  repairTarget,
  parseFlags,
  RUN_DEFAULTS,
  WINDOW_FLAGS,
  type FlagSpecs,
  type PlannerArgs,
} from '@rdc/runtime';
import { LOCAL_DEFAULTS } from './defaults.js';
import { parseStatusArgs, type StatusArgs } from './status/args.js';

export const LOCAL_HELP = `Usage: npm start -- --service <name> --endpoint <name> [options]
       npm start -- --resume <runId> [options]
       npm start -- --repair <runId> [options]
       npm run status -- <service>/<endpoint> [latest | <runId>] [--json] [--wait] [--sink <url>]
       npm run probe -- --url <first-page URL> [--auth …]   draft a service config (probe --help)

Runs the whole pipeline in one process: the planner, an in-process queue, a pool of
workers, and a local folder (or gs:// bucket) as the sink. The bundled retail service
gets the bundled mock API unless RETAIL_API_BASE_URL (or API_BASE_URL) points at a real
API; every other service uses its config's baseUrl or <SERVICE>_API_BASE_URL.

Required:
  --service <name>          Service from the config folder (e.g. retail)
  --endpoint <name>         Endpoint of that service (e.g. sales, customers, products)

Window, [start, end):
  --start-date <iso>        ISO date (2024-07-01, midnight UTC) or datetime (2024-07-01T10:00:00Z,
                            2024-07-01T12:00+02:00; no offset = UTC). Default: the watermark of the
                            last completed run, else the endpoint's defaultStartDate.
  --end-date <iso>          Default: now, truncated to --end-granularity (pinned at planning).
  --end-granularity <dur>   Default ${formatDuration(RUN_DEFAULTS.endGranularityMs)} (env RDC_END_GRANULARITY).
  --lookback <dur>          Re-read this long before the watermark. Default: ${RUN_DEFAULTS.lookbackMs}.
                            Without --start-date, when the latest run of the endpoint is
                            incomplete, that run is resumed instead of planning a new window.
  --slice <dur>             Cursor pagination: one task per time slice (aligned to UTC) of this
                            size. Default: the endpoint's "slice", else ${DEFAULT_SLICE}.

Run:
  --concurrency <n>         Workers in the pool (env RDC_CONCURRENCY). Default: ${MEMORY_QUEUE_DEFAULTS.concurrency}
  --max-attempts <n>        Deliveries of a failing page before it is dead-lettered. Default: ${MEMORY_QUEUE_DEFAULTS.maxDeliveryAttempts}
  --resume <runId>          Re-enqueue only the missing and dead-lettered pages (or slices) of that run.
                            The run id names the service, endpoint and window: no window flags.
  --repair <runId>          For a run that is not sealed because its records do not add up (see
                            status): once the API behaves, move its objects under _rdc/retired/ and
                            land its window again as a fresh run. A sealed run is refused.
  --sink <url>              Default ${RUN_DEFAULTS.sink} (env RDC_SINK); file:///abs/path or gs://bucket/prefix.
  --config-dir <path>       Folder of service JSON files (env RDC_CONFIG_DIR).
  --gzip                    gzip pages (.ndjson.gz).
  --parquet                 Once the run is sealed, compact it into typed Parquet under
                            <service>/<endpoint>.parquet/ (env RDC_PARQUET=1); on for an endpoint
                            whose config has "parquet": {}.
  --dry-run                 Count and print the plan; fetch nothing.
  --allow-overlap           Plan a window that overlaps a run already planned for the endpoint;
                            the overlap then lands twice (dedupe on the endpoint's idField).
                            Without it such a plan is refused (exit 2) and names the run.
  --json                    Print the summary as JSON on stdout.
                            Progress goes to stderr: a live line on a terminal, else a line every
                            ${LOCAL_DEFAULTS.progressSeconds} s (env RDC_PROGRESS_SECONDS).
  -h, --help                This help.
  --version                 Print the version and exit.

${ALIASES_HELP}

Exit codes: 0 every page (or slice) landed, 1 pages missing or dead-lettered (see status,
then --resume), 2 bad arguments or config.`;

export const LOCAL_FLAGS = {
  ...COMMON_FLAGS,
  concurrency: { type: 'string' },
  'max-attempts': { type: 'string' },
  resume: { type: 'string' },
  parquet: { type: 'boolean' },
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
} as const satisfies FlagSpecs;

export interface LocalArgs extends PlannerArgs {
  concurrency: number;
  maxAttempts: number;
  resume?: string | undefined;
  /** `--parquet`: compact the sealed run into Parquet, whatever the endpoint's `parquet` config says. */
  parquet: boolean;
  /** Seconds between progress lines (RDC_PROGRESS_SECONDS). */
  progressSeconds: number;
}

export type LocalCommand =
  { kind: 'help' } | { kind: 'status-help' } | { kind: 'run'; args: LocalArgs } | { kind: 'status'; args: StatusArgs };

/** A run id given on the command line, checked for its form (the error names where it was given). */
function runIdArgument(value: string, where: string) {
  try {
    return parseRunId(value);
  } catch (error) {
    throw new ConfigError(`${where}: ${errorMessage(error)}`);
  }
}

/** --resume: the run id names service, endpoint and window; flags may repeat them, never contradict them. */
function resumeSettings(inputs: Inputs): string | undefined {
  const resume = inputs.text('resume');
  if (resume === undefined) return undefined;
  const identity = runIdArgument(resume, '--resume');
  const windowFlag = WINDOW_FLAGS.find((flag) => inputs.has(flag));
  if (windowFlag) {
    const typed = inputs.get(windowFlag)?.from ?? `--${windowFlag}`;
    throw new ConfigError(
      `${typed} cannot be combined with --resume: a resumed run keeps the window and slices it was planned with. Drop ${typed}, or plan a new run without --resume.`,
    );
  }
  for (const key of ['service', 'endpoint'] as const) {
    const given = inputs.text(key);
    if (given !== undefined && given !== identity[key]) {
      throw new ConfigError(
        `--${key} ${given} contradicts --resume ${resume}, a run of ${identity.service}/${identity.endpoint}. Drop --${key}.`,
      );
    }
  }
  return resume;
}

export function parseLocalArgs(argv: string[], env: NodeJS.ProcessEnv): LocalCommand {
  const { values, spelled, positionals } = parseFlags(argv, LOCAL_FLAGS, { positionals: true });
  if (values.help) return positionals[0] === 'status' ? { kind: 'status-help' } : { kind: 'help' };
  parseLogSettings(env);
  if (positionals[0] === 'status') {
    const given = Object.keys(values).filter((k) => values[k] !== undefined);
    return { kind: 'status', args: parseStatusArgs(positionals.slice(1), new Inputs(values, env, spelled), given) };
  }
  const statusOnly = (['wait', 'timeout'] as const).find((flag) => values[flag] !== undefined);
  if (statusOnly)
    throw new ConfigError(`--${statusOnly} goes with status (\`npm run status -- <runId> --wait\`). See --help.`);
  if (positionals.length > 0) throw new ConfigError(`Unexpected argument "${positionals[0]}". See --help.`);
  const resume = resumeSettings(new Inputs(values, env, spelled));
  if (resume) {
    const identity = parseRunId(resume);
    values.service = identity.service;
    values.endpoint = identity.endpoint;
  }
  const repair = repairTarget(new Inputs(values, env, spelled));
  if (repair) Object.assign(values, repair);
  const inputs = new Inputs(values, env, spelled);
  const common = parseCommon(inputs, { queue: 'memory' });
  if (common.queue !== 'memory') {
    throw new ConfigError(
      'The local runner works its pages on an in-process queue (--queue memory). For Pub/Sub, run the planner (`npm run planner -- --queue pubsub …`) and workers (`npm run worker -- --mode pull`), or `docker compose up`.',
    );
  }
  return {
    kind: 'run',
    args: {
      ...common,
      concurrency: inputs.int('concurrency', 'RDC_CONCURRENCY', MEMORY_QUEUE_DEFAULTS.concurrency, {
        min: 1,
        max: 256,
      }),
      maxAttempts: inputs.int('max-attempts', undefined, MEMORY_QUEUE_DEFAULTS.maxDeliveryAttempts, {
        min: 1,
        max: 100,
      }),
      resume,
      parquet: inputs.bool('parquet', 'RDC_PARQUET'),
      progressSeconds: inputs.int('progress-seconds', 'RDC_PROGRESS_SECONDS', LOCAL_DEFAULTS.progressSeconds, {
        min: 1,
        max: 3600,
      }),
    },
  };
}
