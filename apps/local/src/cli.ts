import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, describeZodError } from '@rdc/contracts';
import { COMMON_OPTIONS, parseCommon, type PlannerArgs } from '@rdc/runtime';

export const LOCAL_HELP = `Usage: npm start -- --service <name> --endpoint <name> [options]
       npm start -- --resume <runId> [options]
       npm run status -- <runId | service/endpoint latest> [--json] [--sink <url>]

Runs the whole pipeline in one process: the planner, an in-process queue, a pool of
workers, and a local folder (or gs:// bucket) as the sink. The bundled retail service
gets the bundled mock API unless RETAIL_API_BASE_URL (or API_BASE_URL) points at a real
API; every other service uses its config's baseUrl or <SERVICE>_API_BASE_URL.

Required:
  --service <name>          Service from the config folder (e.g. retail)
  --endpoint <name>         Endpoint of that service (e.g. sales, customers, products)

Window, [start, end):
  --start_date <iso>        ISO date (2024-07-01, midnight UTC) or datetime (2024-07-01T10:00:00Z,
                            2024-07-01T12:00+02:00; no offset = UTC). Default: the watermark of the
                            last completed run, else the endpoint's defaultStartDate.
  --end_date <iso>          Default: now, truncated to --end_granularity (pinned at planning).
  --end_granularity <dur>   Default 1h (env RDC_END_GRANULARITY).
  --lookback <dur>          Re-read this long before the watermark. Default: 0.
                            Without --start_date, when the latest run of the endpoint is
                            incomplete, that run is resumed instead of planning a new window.
  --slice <dur>             Cursor pagination: one task per time slice (aligned to UTC) of this
                            size. Default: the endpoint's "slice", else 1d.

Run:
  --concurrency <n>         Workers in the pool (env RDC_CONCURRENCY). Default: 8
  --max_attempts <n>        Deliveries of a failing page before it is dead-lettered. Default: 5
  --resume <runId>          Re-enqueue only the missing and dead-lettered pages (or slices) of that run.
  --sink <url>              Default ./data (env RDC_SINK); file:///abs/path or gs://bucket/prefix.
  --config-dir <path>       Folder of service JSON files (env RDC_CONFIG_DIR).
  --gzip                    gzip pages (.ndjson.gz).
  --dry-run                 Count and print the plan; fetch nothing.
  --allow-overlap           Plan a window that overlaps a run already planned for the endpoint;
                            the overlap then lands twice (dedupe on the endpoint's idField).
                            Without it such a plan is refused (exit 2) and names the run.
  --json                    Print the summary as JSON on stdout.
  -h, --help                This help.

Exit codes: 0 every page (or slice) landed, 1 pages missing or dead-lettered (see status,
then --resume), 2 bad arguments or config.`;

const LOCAL_OPTIONS = {
  ...COMMON_OPTIONS,
  concurrency: { type: 'string' },
  max_attempts: { type: 'string' },
  resume: { type: 'string' },
} as const;

const LocalExtras = z.object({
  concurrency: z.coerce.number().int().min(1).max(256),
  maxAttempts: z.coerce.number().int().min(1).max(100),
  resume: z.string().optional(),
});

export interface LocalArgs extends PlannerArgs {
  concurrency: number;
  maxAttempts: number;
  resume?: string | undefined;
}

export type LocalCommand =
  | { kind: 'help' }
  | { kind: 'run'; args: LocalArgs }
  | { kind: 'status'; target: string[]; sink: string; json: boolean; configDir: string | undefined };

export function parseLocalArgs(argv: string[], env: NodeJS.ProcessEnv): LocalCommand {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: LOCAL_OPTIONS, strict: true, allowPositionals: true }));
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. See --help.`);
  }
  if (values.help) return { kind: 'help' };
  if (positionals[0] === 'status') {
    const sink = typeof values.sink === 'string' ? values.sink : (env.RDC_SINK ?? './data');
    const configDir = typeof values['config-dir'] === 'string' ? values['config-dir'] : env.RDC_CONFIG_DIR;
    return { kind: 'status', target: positionals.slice(1), sink, json: values.json === true, configDir };
  }
  if (positionals.length > 0) throw new ConfigError(`Unexpected argument "${positionals[0]}". See --help.`);
  const resume = typeof values.resume === 'string' ? values.resume : undefined;
  if (resume) {
    // The run id names service and endpoint; the window comes from the run's manifest.
    const [service, endpoint] = resume.split('.');
    values.service ??= service;
    values.endpoint ??= endpoint;
  }
  const common = parseCommon(values, env, { queue: 'memory' });
  if (common.queue !== 'memory') {
    throw new ConfigError(
      'The local runner works its pages on an in-process queue (--queue memory). For Pub/Sub, run the planner (`npm run planner -- --queue pubsub …`) and workers (`npm run worker -- --mode pull`), or `docker compose up`.',
    );
  }
  const rawExtras = {
    concurrency: values.concurrency ?? env.RDC_CONCURRENCY ?? 8,
    maxAttempts: values.max_attempts ?? 5,
    resume,
  };
  const extras = LocalExtras.safeParse(rawExtras);
  if (!extras.success) throw new ConfigError(describeZodError(extras.error, 'The command line', rawExtras));
  return { kind: 'run', args: { ...common, ...extras.data } };
}
