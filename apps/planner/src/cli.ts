import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, describeZodError } from '@rdc/contracts';
import { parseDuration, parseInstant } from '@rdc/core';

export const PLANNER_HELP = `Usage: planner --service <name> --endpoint <name> [options]

Plans one run: counts the records in [start, end), writes the run manifest and
publishes one task per page (pageSize <= 250), or per time slice for cursor
pagination, to the queue.

Required:
  --service <name>          Service from the config folder (e.g. retail)
  --endpoint <name>         Endpoint of that service (e.g. sales, customers, products)

Window, [start, end):
  --start_date <iso>        ISO date (2024-07-01, midnight UTC) or datetime
                            (2024-07-01T10:00:00Z, 2024-07-01T12:00+02:00; no offset = UTC).
                            Default: the end of the last completed run (the watermark),
                            else the endpoint's defaultStartDate in config.
  --end_date <iso>          Default: now, truncated to --end_granularity. The end is pinned
                            at planning, so records arriving during the run fall in the next.
  --end_granularity <dur>   Truncation of the default end (env RDC_END_GRANULARITY). A retried
                            execution within the same period is the same run. Default: 1h.
  --lookback <dur>          Start this long before the watermark to catch late records. Default: 0.
                            Without --start_date, a run whose latest predecessor is incomplete
                            and would overlap it plans nothing and exits 1 (see status / --resume).

Fan-out:
  --slice <dur>             Cursor pagination (link-header, body-cursor, starting-after) has no
                            total, so the window is cut into time slices aligned to UTC (1h, 1d, …)
                            and each slice is one task. Default: the endpoint's "slice", else 1d.
                            Counted styles fan out per page (split into slices only when the
                            pages exceed the endpoint's maxOffset / maxPage).

Where:
  --sink <url>              gs://bucket/prefix, file:///abs/path or a folder (env RDC_SINK).
                            Default: ./data
  --queue <pubsub|memory>   Queue for the page tasks (env RDC_QUEUE).
  --project <id>            Google Cloud project (env GOOGLE_CLOUD_PROJECT).
  --topic <name>            Pub/Sub topic for page tasks (env RDC_TOPIC). Default: rdc-pages
  --config-dir <path>       Folder of service JSON files (env RDC_CONFIG_DIR).

Other:
  --dry-run                 Count and print the plan; publish and fetch nothing.
  --json                    Print the plan or summary as JSON on stdout.
  -h, --help                This help.

Environment: API_BASE_URL overrides the service's base URL; the API key comes from the
variable the service config names (retail: RETAIL_API_KEY, or RETAIL_API_KEY_FILE for a
mounted secret). PUBSUB_EMULATOR_HOST and STORAGE_EMULATOR_HOST select emulators.
LOG_FORMAT=json|pretty, LOG_LEVEL=error|warn|info|debug.

Exit codes: 0 done, 1 failed (retry the job), 2 bad arguments or config.`;

export const COMMON_OPTIONS = {
  service: { type: 'string' },
  endpoint: { type: 'string' },
  start_date: { type: 'string' },
  end_date: { type: 'string' },
  end_granularity: { type: 'string' },
  lookback: { type: 'string' },
  slice: { type: 'string' },
  sink: { type: 'string' },
  queue: { type: 'string' },
  project: { type: 'string' },
  topic: { type: 'string' },
  'config-dir': { type: 'string' },
  gzip: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const name = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'expected a lowercase name such as "sales"');
const flag = (f: string) => z.string().min(1, `${f} needs a value`);

export const PlannerArgs = z.object({
  service: name,
  endpoint: name,
  startDate: z.date().optional(),
  endDate: z.date().optional(),
  endGranularityMs: z.number().int().positive(),
  lookbackMs: z.number().int().nonnegative(),
  /** `--slice`: time-slice size for cursor pagination, in ms. */
  sliceMs: z.number().int().positive().optional(),
  sink: flag('--sink'),
  queue: z.enum(['pubsub', 'memory']),
  project: z
    .string()
    .regex(/^[a-z][a-z0-9-]{4,61}[a-z0-9]$/, 'expected a Google Cloud project id')
    .optional(),
  topic: z
    .string()
    .regex(
      /^[A-Za-z][A-Za-z0-9._~%+-]{2,254}$/,
      'expected a Pub/Sub topic name (3-255 characters, starting with a letter)',
    ),
  configDir: z.string().optional(),
  gzip: z.boolean(),
  dryRun: z.boolean(),
  json: z.boolean(),
});
export type PlannerArgs = z.infer<typeof PlannerArgs>;

export interface ParseDefaults {
  queue: 'pubsub' | 'memory';
}

type Values = Record<string, string | boolean | undefined>;

/** Parses the flags shared by the planner and the local runner. Throws ConfigError (exit 2). */
export function parseCommon(values: Values, env: NodeJS.ProcessEnv, defaults: ParseDefaults): PlannerArgs {
  const str = (key: string): string | undefined => {
    const value = values[key];
    return typeof value === 'string' ? value : undefined;
  };
  if (!str('service') || !str('endpoint')) {
    throw new ConfigError('--service and --endpoint are required, e.g. --service retail --endpoint sales. See --help.');
  }
  const raw = {
    service: str('service'),
    endpoint: str('endpoint'),
    startDate: str('start_date') !== undefined ? parseInstant(str('start_date')!, '--start_date') : undefined,
    endDate: str('end_date') !== undefined ? parseInstant(str('end_date')!, '--end_date') : undefined,
    endGranularityMs: parseDuration(str('end_granularity') ?? env.RDC_END_GRANULARITY ?? '1h', '--end_granularity'),
    lookbackMs: str('lookback') ? parseDuration(str('lookback')!, '--lookback') : 0,
    sliceMs: str('slice') !== undefined ? parseDuration(str('slice')!, '--slice') : undefined,
    sink: str('sink') ?? env.RDC_SINK ?? './data',
    queue: str('queue') ?? env.RDC_QUEUE ?? defaults.queue,
    project: str('project') ?? env.GOOGLE_CLOUD_PROJECT ?? env.GCLOUD_PROJECT,
    topic: str('topic') ?? env.RDC_TOPIC ?? 'rdc-pages',
    configDir: str('config-dir') ?? env.RDC_CONFIG_DIR,
    gzip: values.gzip === true || env.RDC_GZIP === '1' || env.RDC_GZIP === 'true',
    dryRun: values['dry-run'] === true,
    json: values.json === true,
  };
  const parsed = PlannerArgs.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeZodError(parsed.error, 'The command line', raw));
  return parsed.data;
}

export type PlannerCommand = { help: true } | { help: false; args: PlannerArgs };

export function parsePlannerArgs(argv: string[], env: NodeJS.ProcessEnv): PlannerCommand {
  let values: Values;
  try {
    ({ values } = parseArgs({ args: argv, options: COMMON_OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. See --help.`);
  }
  if (values.help) return { help: true };
  if (values.gzip) {
    throw new ConfigError('--gzip is a worker setting: the workers write the pages. Set RDC_GZIP=1 on the workers.');
  }
  return { help: false, args: parseCommon(values, env, { queue: 'pubsub' }) };
}
