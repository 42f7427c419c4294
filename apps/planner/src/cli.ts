import { ConfigError, formatDuration } from '@rdc/contracts';
import { DEFAULT_SLICE } from '@rdc/core';
import {
  ALIASES_HELP,
  COMMON_FLAGS,
  Inputs,
  parseCommon,
  parseFlags,
  repairTarget,
  RUN_DEFAULTS,
  type PlannerArgs,
} from '@rdc/runtime';

export const PLANNER_HELP = `Usage: planner --service <name> --endpoint <name> [options]

Plans one run: counts the records in [start, end), writes the run manifest and
publishes one task per page (pageSize <= 250), or per time slice for cursor
pagination, to the queue.

Required:
  --service <name>          Service from the config folder (e.g. retail)
  --endpoint <name>         Endpoint of that service (e.g. sales, customers, products)

Window, [start, end):
  --start-date <iso>        ISO date (2024-07-01, midnight UTC) or datetime
                            (2024-07-01T10:00:00Z, 2024-07-01T12:00+02:00; no offset = UTC).
                            Default: the end of the last completed run (the watermark),
                            else the endpoint's defaultStartDate in config.
  --end-date <iso>          Default: now, truncated to --end-granularity. The end is pinned
                            at planning, so records arriving during the run fall in the next.
  --end-granularity <dur>   Truncation of the default end (env RDC_END_GRANULARITY). A retried
                            execution within the same period is the same run. Default: ${formatDuration(RUN_DEFAULTS.endGranularityMs)}.
  --lookback <dur>          Start this long before the watermark to catch late records. Default: ${RUN_DEFAULTS.lookbackMs}.
                            Without --start-date, a run whose latest predecessor is incomplete
                            and would overlap it plans nothing and exits 1 (see status / --resume).

Fan-out:
  --slice <dur>             Cursor pagination (link-header, body-cursor, starting-after) has no
                            total, so the window is cut into time slices aligned to UTC (1h, 1d, …)
                            and each slice is one task. Default: the endpoint's "slice", else ${DEFAULT_SLICE}.
                            Counted styles fan out per page (split into slices only when the
                            pages exceed the endpoint's maxOffset / maxPage).

Where:
  --sink <url>              gs://bucket/prefix, file:///abs/path or a folder (env RDC_SINK).
                            Default: ${RUN_DEFAULTS.sink}
  --queue <pubsub|memory>   Queue for the page tasks (env RDC_QUEUE).
  --project <id>            Google Cloud project (env GOOGLE_CLOUD_PROJECT).
  --topic <name>            Pub/Sub topic for page tasks (env RDC_TOPIC). Default: ${RUN_DEFAULTS.topic}
  --config-dir <path>       Folder of service JSON files (env RDC_CONFIG_DIR).

Other:
  --dry-run                 Count and print the plan; publish and fetch nothing.
  --repair <runId>          Move that unsealed run's objects under _rdc/retired/ and plan its window
                            again as a fresh run (after an integrity failure, once the API behaves).
  --allow-overlap           Plan a window that overlaps a run already planned for the endpoint;
                            the overlap then lands twice (dedupe on the endpoint's idField).
                            Without it such a plan is refused (exit 2) and names the run.
  --json                    Print the plan or summary as JSON on stdout.
  -h, --help                This help.
  --version                 Print the version and exit.

Environment: <SERVICE>_API_BASE_URL (e.g. RETAIL_API_BASE_URL) overrides the service's
baseUrl (API_BASE_URL too: this process serves one service). Credentials come from the
variables the service's auth names (retail: RETAIL_API_KEY, or RETAIL_API_KEY_FILE for a
mounted secret). PUBSUB_EMULATOR_HOST and STORAGE_EMULATOR_HOST select emulators.
LOG_FORMAT=json|pretty, LOG_LEVEL=error|warn|info|debug.
Without PUBSUB_EMULATOR_HOST, --queue pubsub needs a project (--project or GOOGLE_CLOUD_PROJECT).

${ALIASES_HELP}

Exit codes: 0 done, 1 failed (retry the job), 2 bad arguments or config.`;

export type PlannerCommand = { help: true } | { help: false; args: PlannerArgs };

export function parsePlannerArgs(argv: string[], env: NodeJS.ProcessEnv): PlannerCommand {
  const { values, spelled } = parseFlags(argv, COMMON_FLAGS);
  if (values.help) return { help: true };
  if (values.gzip) {
    throw new ConfigError('--gzip is a worker setting: the workers write the pages. Set RDC_GZIP=1 on the workers.');
  }
  const repair = repairTarget(new Inputs(values, env, spelled));
  if (repair) Object.assign(values, repair);
  return { help: false, args: parseCommon(new Inputs(values, env, spelled), { queue: 'pubsub' }) };
}
