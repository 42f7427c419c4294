import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, describeZodError, errorMessage } from '@rdc/contracts';
import { parseRunId } from '@rdc/core';
import { parseSinkUrl } from '@rdc/sinks';
import { RUN_DEFAULTS } from './defaults.js';
import type { FlagSpecs } from './flags.js';
import { check, type Inputs } from './inputs.js';

/**
 * The flags every app that plans a run accepts (the planner, and the local
 * runner behind npm start), by kebab-case name. Each is also accepted in
 * snake_case (`--start_date`), see `spellings` in flags.ts.
 */
export const COMMON_FLAGS = {
  service: { type: 'string' },
  endpoint: { type: 'string' },
  'start-date': { type: 'string' },
  'end-date': { type: 'string' },
  'end-granularity': { type: 'string' },
  lookback: { type: 'string' },
  slice: { type: 'string' },
  sink: { type: 'string' },
  queue: { type: 'string' },
  project: { type: 'string' },
  topic: { type: 'string' },
  'config-dir': { type: 'string' },
  gzip: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'allow-overlap': { type: 'boolean' },
  repair: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies FlagSpecs;

/** The flags that choose a run's window; a resumed run takes its window from its run id. */
export const WINDOW_FLAGS = ['start-date', 'end-date', 'end-granularity', 'lookback', 'slice'] as const;

/** The line every --help prints about the second spelling of each flag. */
export const ALIASES_HELP =
  'Every flag is also accepted in snake_case (--start_date, --end_date, --end_granularity, --config_dir, …).';

const name = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'expected a lowercase name such as "sales"');
const projectId = z.string().regex(/^[a-z][a-z0-9-]{4,61}[a-z0-9]$/, 'expected a Google Cloud project id');
const topicName = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9._~%+-]{2,254}$/,
    'expected a Pub/Sub topic name (3-255 characters, starting with a letter)',
  );
const queueKind = z.enum(['pubsub', 'memory'], { error: 'expected pubsub or memory' });

export const PlannerArgs = z.object({
  service: name,
  endpoint: name,
  startDate: z.date().optional(),
  endDate: z.date().optional(),
  /**
   * `--end-granularity`: the default end is now, truncated to this.
   * @default 3_600_000 (1h)
   */
  endGranularityMs: z.number().int().positive(),
  /**
   * `--lookback`: start this long before the watermark.
   * @default 0
   */
  lookbackMs: z.number().int().nonnegative(),
  /** `--slice`: time-slice size for cursor pagination, in ms. */
  sliceMs: z.number().int().positive().optional(),
  /**
   * `--sink`: where pages land.
   * @default './data'
   * @example 'gs://my-bucket/raw'
   */
  sink: z.string().min(1),
  queue: queueKind,
  project: projectId.optional(),
  /**
   * `--topic`: the Pub/Sub topic of page tasks.
   * @default 'rdc-pages'
   */
  topic: topicName,
  configDir: z.string().optional(),
  gzip: z.boolean(),
  dryRun: z.boolean(),
  /** `--allow-overlap`: plan a window that overlaps a planned run (the overlap lands twice). */
  allowOverlap: z.boolean(),
  /** `--repair <runId>`: retire that unsealed run, then plan its window again as a fresh run. */
  repair: z.string().optional(),
  json: z.boolean(),
});
export type PlannerArgs = z.infer<typeof PlannerArgs>;

export interface ParseDefaults {
  queue: 'pubsub' | 'memory';
}

/**
 * The sink named by --sink or RDC_SINK, checked: a URL it cannot be, or a path
 * that is a regular file or a device rather than a folder, is an error naming
 * where the value came from. `file://./rel` resolves against the working folder.
 */
export function sinkSetting(inputs: Inputs, fallback: string = RUN_DEFAULTS.sink): string {
  const input = inputs.get('sink', 'RDC_SINK');
  if (!input) return fallback;
  const text = /^file:\/\/\.\.?\//.test(input.text) ? `file://${resolve(input.text.slice(7))}` : input.text;
  let location;
  try {
    location = parseSinkUrl(text);
  } catch (error) {
    throw new ConfigError(`${input.from}: ${errorMessage(error)}`);
  }
  if (location.kind === 'file') {
    let stats;
    try {
      stats = statSync(location.root, { throwIfNoEntry: false });
    } catch (error) {
      // ENOTDIR: a folder on the way is a file; EACCES: a folder on the way cannot be searched.
      throw new ConfigError(
        `${input.from} ${input.text} cannot be a folder (${errorMessage(error)}). Give a folder whose parents are folders you may enter (it is created if missing), or a gs:// URL.`,
      );
    }
    const fileOnTheWay = stats ? undefined : nearestNonFolder(dirname(location.root));
    if (fileOnTheWay !== undefined) {
      throw new ConfigError(
        `${input.from} ${input.text} cannot be a folder (ENOTDIR: ${fileOnTheWay}, on the way to it, is a file). Give a folder whose parents are folders (it is created if missing), or a gs:// URL.`,
      );
    }
    if (stats && !stats.isDirectory()) {
      const what = stats.isFile() ? 'a regular file' : 'a device or other special file';
      throw new ConfigError(
        `${input.from} ${input.text} is ${what}, not a folder. Give a folder (it is created if missing) or a gs:// URL.`,
      );
    }
  }
  return text;
}

/**
 * The nearest existing path at or above `path` when it is not a folder. A missing
 * sink folder is created, which fails when a file stands on the way to it: Node 20's
 * statSync throws ENOTDIR for such a path, Node 24's reports it missing.
 */
function nearestNonFolder(path: string): string | undefined {
  for (let at = path; ; at = dirname(at)) {
    const stats = statSync(at, { throwIfNoEntry: false });
    if (stats) return stats.isDirectory() ? undefined : at;
    if (dirname(at) === at) return undefined;
  }
}

/**
 * `--repair <runId>`: the run id names service, endpoint and window, so window
 * flags are refused and --service/--endpoint may repeat it, never contradict it.
 * Returns the service and endpoint to plan, or undefined without --repair.
 */
export function repairTarget(inputs: Inputs): { service: string; endpoint: string } | undefined {
  const repair = inputs.text('repair');
  if (repair === undefined) return undefined;
  let run;
  try {
    run = parseRunId(repair);
  } catch (error) {
    throw new ConfigError(`--repair: ${errorMessage(error)}`);
  }
  const windowFlag = WINDOW_FLAGS.find((flag) => inputs.has(flag));
  if (windowFlag) {
    const typed = inputs.get(windowFlag)?.from ?? `--${windowFlag}`;
    throw new ConfigError(
      `${typed} cannot be combined with --repair: the repaired run keeps its window. Drop ${typed}.`,
    );
  }
  for (const key of ['service', 'endpoint'] as const) {
    const given = inputs.text(key);
    if (given !== undefined && given !== run[key]) {
      throw new ConfigError(
        `--${key} ${given} contradicts --repair ${repair}, a run of ${run.service}/${run.endpoint}. Drop --${key}.`,
      );
    }
  }
  return { service: run.service, endpoint: run.endpoint };
}

/** Parses the flags shared by the planner and the local runner. Throws ConfigError (exit 2). */
export function parseCommon(inputs: Inputs, defaults: ParseDefaults): PlannerArgs {
  const service = inputs.get('service');
  const endpoint = inputs.get('endpoint');
  if (!service || !endpoint) {
    throw new ConfigError('--service and --endpoint are required, e.g. --service retail --endpoint sales. See --help.');
  }
  const project = inputs.get('project', 'GOOGLE_CLOUD_PROJECT') ?? inputs.get('project', 'GCLOUD_PROJECT');
  const raw = {
    service: check(name, service),
    endpoint: check(name, endpoint),
    startDate: inputs.instant('start-date'),
    endDate: inputs.instant('end-date'),
    endGranularityMs: inputs.duration('end-granularity', 'RDC_END_GRANULARITY') ?? RUN_DEFAULTS.endGranularityMs,
    lookbackMs: inputs.duration('lookback') ?? RUN_DEFAULTS.lookbackMs,
    sliceMs: inputs.duration('slice'),
    sink: sinkSetting(inputs),
    queue: inputs.checked(queueKind, 'queue', 'RDC_QUEUE', defaults.queue),
    project: project ? check(projectId, project) : undefined,
    topic: inputs.checked(topicName, 'topic', 'RDC_TOPIC', RUN_DEFAULTS.topic),
    configDir: inputs.text('config-dir', 'RDC_CONFIG_DIR'),
    gzip: inputs.bool('gzip', 'RDC_GZIP'),
    dryRun: inputs.bool('dry-run'),
    allowOverlap: inputs.bool('allow-overlap'),
    repair: inputs.text('repair'),
    json: inputs.bool('json'),
  };
  const parsed = PlannerArgs.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeZodError(parsed.error, 'The command line', raw));
  return parsed.data;
}
