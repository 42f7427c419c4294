import { formatDrift, type Drift, type IntegrityReport } from '@rdc/core';
import type { ParquetSummary } from './compact-local.js';

/** What `npm start` prints at the end of a run (`--json`: this object). */
export interface LocalSummary {
  runId: string;
  window: { start: string; end: string };
  /** `pages`: one task per page; `slices`: one task per time slice (cursor pagination). */
  plan: 'pages' | 'slices';
  /** Pages of the run (in a slice plan, the pages its slices held: known once walked). */
  pages: number;
  /** Pages of the run in the sink at the end, whatever delivery landed them. */
  landedPages: number;
  /** Slice plan: time slices of the run, and those walked to their end. */
  slices?: number;
  landedSlices?: number;
  /** Tasks (pages, or slices in a slice plan) landed by this process. */
  landed: number;
  alreadyLanded: number;
  /** Dead-lettered and missing pages, or slices in a slice plan. */
  deadLettered: number[];
  missing: number[];
  /** The latest run was incomplete, so this run resumed it instead of planning a new window. */
  resumedLatest: boolean;
  records: number;
  seconds: number;
  /** The table folder (data only, by dt= and run=). */
  location: string;
  /** The run's bookkeeping folder (manifest, schema, page records, _SUCCESS). */
  runState: string;
  /** Fields the records carry that the endpoint's schema does not declare (known once the run is sealed). */
  drift?: Drift;
  complete: boolean;
  /** Requests this process sent to the API (planning and pages, retries included). */
  requests: number;
  /** Requests sent again after a 5xx, 408, reset, timeout or bad body (429 waits not included). */
  retries: number;
  /** 429 responses waited out, and the seconds spent waiting on them. */
  rateLimitWaits: number;
  rateLimitWaitSeconds: number;
  /** Page files this run wrote, and their bytes as stored (gzipped with --gzip); bookkeeping not included. */
  filesWritten: number;
  bytesWritten: number;
  /** Tasks worked at once (`--concurrency`). */
  workers: number;
  /** Requests in flight to the API at most: the API's limit, or fewer when the workers are fewer. */
  apiConcurrency: number;
  /** The API's limit of requests in flight (`limits.concurrency`, RDC_API_CONCURRENCY). */
  apiConcurrencyLimit: number;
  /** Requests per second at most (`limits.requestsPerSecond`, RDC_REQUESTS_PER_SECOND). */
  requestsPerSecond: number;
  /** Every page landed, but the records as a whole do not add up: nothing was sealed. */
  integrity?: IntegrityReport;
  /** The sealed run compacted into Parquet (`--parquet`, or the endpoint's `parquet` config). */
  parquet?: ParquetSummary;
}

export function formatSummary(s: LocalSummary): string {
  const unit = s.plan === 'slices' ? 'slice' : 'page';
  const head = s.complete
    ? `Run ${s.runId} complete`
    : s.integrity
      ? `Run ${s.runId} NOT SEALED: every ${unit} landed, but the records do not add up: ${s.integrity.explanation ?? ''}. See \`npm run status -- ${s.runId}\` for the pages and ids.`
      : `Run ${s.runId} INCOMPLETE: ${s.missing.length} ${unit}(s) missing, ${s.deadLettered.length} dead-lettered. Inspect with \`npm run status -- ${s.runId}\`, then \`npm start -- --resume ${s.runId}\`.`;
  const byThisRun = `${s.landed} by this run${s.alreadyLanded ? `, ${s.alreadyLanded} found already there` : ''}`;
  const fanOut =
    s.plan === 'slices'
      ? [
          `  slices   ${s.landedSlices ?? 0}/${s.slices ?? 0} walked (${byThisRun})`,
          `  pages    ${s.landedPages} files`,
        ]
      : [`  pages    ${s.landedPages}/${s.pages} landed (${byThisRun})`];
  return [
    head,
    ...(s.resumedLatest
      ? ['  note     the latest run was incomplete, so it was resumed; run again for the next window']
      : []),
    `  window   [${s.window.start}, ${s.window.end})`,
    ...fanOut,
    ...failures(s, unit),
    `  records  ${s.records.toLocaleString('en-US')}`,
    `  seconds  ${s.seconds.toFixed(1)}`,
    `  requests ${s.requests} to the API (${s.workers} worker slots, ${s.apiConcurrency} requests in flight at most of the API's ${s.apiConcurrencyLimit}, ${s.requestsPerSecond}/s)`,
    `  retries  ${s.retries}; 429 waits ${s.rateLimitWaits} (${s.rateLimitWaitSeconds.toFixed(1)} s waited)`,
    `  written  ${s.bytesWritten.toLocaleString('en-US')} bytes in ${s.filesWritten} page files`,
    `  files    ${s.location}`,
    `  run      ${s.runState}`,
    ...(s.parquet
      ? [
          s.parquet.complete
            ? `  parquet  ${s.parquet.records.toLocaleString('en-US')} records in ${s.parquet.files} files over ${s.parquet.partitions} dt= partitions, checked and marked (_COMPACTED), ${s.parquet.seconds.toFixed(1)} s: ${s.parquet.location}`
            : `  parquet  NOT COMPACTED: ${s.parquet.error ?? 'partitions pending'}`,
        ]
      : []),
    ...(s.drift && Object.keys(s.drift).length > 0
      ? [`  drift    ${formatDrift(s.drift)}: fields the schema does not declare, written as given`]
      : []),
  ].join('\n');
}

/** A run that lost pages says which, on a line of its own. */
function failures(s: LocalSummary, unit: string): string[] {
  const list = (label: string, what: string, items: number[]): string[] =>
    items.length === 0
      ? []
      : [
          `  ${label} ${items.length} ${unit}(s) ${what}: ${items.slice(0, 20).join(', ')}${items.length > 20 ? `, … ${items.length - 20} more` : ''}`,
        ];
  return [...list('FAILED  ', 'dead-lettered', s.deadLettered), ...list('MISSING ', 'not landed', s.missing)];
}
