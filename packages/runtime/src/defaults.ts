/**
 * Every default of the run flags (the planner and `npm start`), in one place.
 * `parseCommon` applies them and the apps' `--help` prints them from here.
 */
export const RUN_DEFAULTS = {
  /** `--end-granularity` (RDC_END_GRANULARITY): the default end is now, truncated to this. One hour. */
  endGranularityMs: 3_600_000,
  /** `--lookback`: how long before the watermark a run starts again. */
  lookbackMs: 0,
  /** `--sink` (RDC_SINK): a folder under the working folder. */
  sink: './data',
  /** `--topic` (RDC_TOPIC): the Pub/Sub topic of page tasks. */
  topic: 'rdc-pages',
} as const;
