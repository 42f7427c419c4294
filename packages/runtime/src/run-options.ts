import { z } from 'zod';
import { ConfigError, describeZodError } from '@rdc/contracts';
import { parseDuration, parseInstant } from '@rdc/core';

/** The flags every app that plans a run accepts (the planner, and the local runner behind npm start). */
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
  'allow-overlap': { type: 'boolean' },
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
  /** `--allow-overlap`: plan a window that overlaps a planned run (the overlap lands twice). */
  allowOverlap: z.boolean(),
  json: z.boolean(),
});
export type PlannerArgs = z.infer<typeof PlannerArgs>;

export interface ParseDefaults {
  queue: 'pubsub' | 'memory';
}

export type Values = Record<string, string | boolean | undefined>;

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
    allowOverlap: values['allow-overlap'] === true,
    json: values.json === true,
  };
  const parsed = PlannerArgs.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeZodError(parsed.error, 'The command line', raw));
  return parsed.data;
}
