import { PermanentError, RUN_ID_PATTERN, type Window } from '@rdc/contracts';
import { INDEX_DIGITS } from './defaults.js';

/** `20240701T000000Z`, with milliseconds only when the instant has them. */
function compact(date: Date): string {
  const iso = date.toISOString(); // 2024-07-01T00:00:00.000Z
  const ms = iso.slice(20, 23);
  return `${iso.slice(0, 19).replace(/[-:]/g, '')}${ms === '000' ? '' : ms}Z`;
}

/**
 * The run id is derived from service, endpoint and window, so a retried or
 * re-planned run is recognised as the same run and maps to the same names.
 */
export function makeRunId(service: string, endpoint: string, window: Window): string {
  const id = `${service}.${endpoint}.${compact(window.start)}-${compact(window.end)}`;
  if (!RUN_ID_PATTERN.test(id)) throw new PermanentError(`Cannot build a run id from "${id}".`);
  return id;
}

/** `<service>.<endpoint>.<start>-`: the prefix of the run ids of the endpoint's runs that start at `start`. */
export const runIdsStartingAt = (service: string, endpoint: string, start: Date): string =>
  `${service}.${endpoint}.${compact(start)}-`;

const RUN_ID_PARTS = /^([a-z0-9_]+)\.([a-z0-9_]+)\.(\d{8}T\d{6}(?:\d{3})?Z)-(\d{8}T\d{6}(?:\d{3})?Z)$/;

function expand(stamp: string): Date {
  const ms = stamp.length > 16 ? stamp.slice(15, 18) : '000';
  return new Date(
    `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}.${ms}Z`,
  );
}

export interface RunIdentity {
  runId: string;
  service: string;
  endpoint: string;
  window: Window;
}

/** Reads service, endpoint and window back out of a run id. */
export function parseRunId(runId: string): RunIdentity {
  const parts = RUN_ID_PATTERN.test(runId) ? RUN_ID_PARTS.exec(runId) : null;
  if (!parts) {
    throw new PermanentError(
      `"${runId}" is not a run id. Run ids look like retail.sales.20240701T000000Z-20241101T000000Z; \`status <service>/<endpoint> latest\` lists the latest.`,
    );
  }
  const [, service = '', endpoint = '', start = '', end = ''] = parts;
  return { runId, service, endpoint, window: { start: expand(start), end: expand(end) } };
}

/**
 * Object layout, relative to the sink's root (bucket prefix or folder). Data
 * and bookkeeping live apart, so a reader given a table folder reads records
 * and nothing else:
 *
 *   <service>/<endpoint>/                                   the table: data objects only
 *     dt=<UTC date of the records>/run=<runId>/page-000042.ndjson[.gz]
 *     dt=<UTC date of the records>/run=<runId>/page-s000003-000001.ndjson[.gz]   (slice 3, page 1)
 *
 *   _rdc/                                                   bookkeeping, never data
 *     runs/<service>/<endpoint>/run=<runId>/manifest.json
 *     runs/<service>/<endpoint>/run=<runId>/schema.bigquery.json
 *     runs/<service>/<endpoint>/run=<runId>/pages/page-000042.json         (the page landed: its parts)
 *     runs/<service>/<endpoint>/run=<runId>/slices/slice-000003.json       (slice 3 walked to its end)
 *     runs/<service>/<endpoint>/run=<runId>/walks/slice-000003.json        (where slice 3's walk can resume)
 *     runs/<service>/<endpoint>/run=<runId>/_SUCCESS
 *     deadletter/<service>/<endpoint>/run=<runId>/page-000001.m<digest>-a<attempt>.json | slice-000003… | page-s000003-000001…
 *     deadletter/_malformed/<digest>.json, deadletter/_unplanned/<digest>.json    (one per message id)
 *     state/<service>/<endpoint>/watermark.json | latest.json | planned-last.json
 *     state/<service>/<endpoint>/runs/<runId>.json                     (the run's window was planned)
 *     state/<service>/<endpoint>/backfills/<runId>.json                (the window was planned as consecutive runs)
 *     runs/<service>/<endpoint>/run=<runId>/encoding.json               (the run's one page encoding)
 *     retired/<service>/<endpoint>/run=<runId>/<retiredAt>/<original key>  (a run retired by --repair)
 *
 * A page's records are partitioned by the UTC date of their timestamp field: a
 * page whose records span midnight is written as one part per date, each under
 * the page's own name in its `dt=` folder. Its page record under `pages/` is
 * written after every part, so a page counts as landed only when all its parts
 * are; see task/land-page.ts.
 */
export const BOOKKEEPING_ROOT = '_rdc/';

type RunRef = Pick<RunIdentity, 'service' | 'endpoint' | 'runId'>;

/** The table folder of an endpoint: `<service>/<endpoint>/`, data only. */
export const tableFolder = (run: Pick<RunIdentity, 'service' | 'endpoint'>): string =>
  `${run.service}/${run.endpoint}/`;

/** `YYYY-MM-DD`: the UTC date a timestamp falls on. */
export const utcDate = (instant: Date | number): string => new Date(instant).toISOString().slice(0, 10);

/** The folder of one run's records of one UTC date: `<service>/<endpoint>/dt=<date>/run=<runId>/`. */
export const partitionFolder = (run: RunRef, dt: string): string => `${tableFolder(run)}dt=${dt}/run=${run.runId}/`;

/** The bookkeeping folder of one run: `_rdc/runs/<service>/<endpoint>/run=<runId>/`. */
export const runFolder = (run: RunRef): string =>
  `${BOOKKEEPING_ROOT}runs/${run.service}/${run.endpoint}/run=${run.runId}/`;

const pad = (n: number): string => String(n).padStart(INDEX_DIGITS, '0');

/** The name of page `page` of a run: `page-000042`. */
export const pageStem = (page: number): string => `page-${pad(page)}`;
/** The name of page `page` (1-based) of slice `slice` (1-based): `page-s000003-000001`. */
export const slicePageStem = (slice: number, page: number): string => `page-s${pad(slice)}-${pad(page)}`;

/** A data object: one page's records of one date (`…/dt=<date>/run=<runId>/<stem>.ndjson[.gz]`). */
export const dataKey = (run: RunRef, dt: string, stem: string, gzip = false): string =>
  `${partitionFolder(run, dt)}${stem}.ndjson${gzip ? '.gz' : ''}`;

/** Data object names: `page-000042.ndjson[.gz]`, `page-s000003-000001.ndjson[.gz]`. */
export const DATA_FILE = /^page-(?:s\d{6,}-)?\d{6,}\.ndjson(?:\.gz)?$/;

/** The page records of a run, written when every part of a page has landed. */
export const pageRecordsPrefix = (run: RunRef): string => `${runFolder(run)}pages/`;
export const pageRecordKey = (run: RunRef, stem: string): string => `${pageRecordsPrefix(run)}${stem}.json`;
/** Prefix of the page records of one slice (`…/pages/page-s000003-`). */
export const slicePageRecordPrefix = (run: RunRef, slice: number): string =>
  `${pageRecordsPrefix(run)}page-s${pad(slice)}-`;
export const PAGE_RECORD_FILE = /^page-(\d{6,})\.json$/;
export const SLICE_PAGE_RECORD_FILE = /^page-s(\d{6,})-(\d{6,})\.json$/;

/** The marker a slice walk writes when it reached the end of its slice. */
export const sliceMarkerKey = (run: RunRef, slice: number): string =>
  `${runFolder(run)}slices/slice-${pad(slice)}.json`;
export const SLICE_MARKER_FILE = /^slice-(\d{6,})\.json$/;

/** Where a slice's cursor walk saved its progress (overwritten as it goes), so a resume continues there. */
export const walkCheckpointKey = (run: RunRef, slice: number): string =>
  `${runFolder(run)}walks/slice-${pad(slice)}.json`;
/** One write-once chunk of the loop keys a slice's walk has reached (`…/walks/slice-000003-seen-000001.json`). */
export const walkSeenKey = (run: RunRef, slice: number, chunk: number): string =>
  `${runFolder(run)}walks/slice-${pad(slice)}-seen-${pad(chunk)}.json`;

export const manifestKey = (run: RunRef): string => `${runFolder(run)}manifest.json`;
export const successKey = (run: RunRef): string => `${runFolder(run)}_SUCCESS`;
/** The BigQuery schema of a run's records, written once by the planner beside the manifest. */
export const schemaKey = (run: RunRef): string => `${runFolder(run)}schema.bigquery.json`;

export function deadLetterPrefix(run: RunRef): string {
  return `${BOOKKEEPING_ROOT}deadletter/${run.service}/${run.endpoint}/run=${run.runId}/`;
}

/**
 * The delivery a dead-letter record belongs to: a digest of the message id and
 * the delivery attempt. It is part of the record's name, so records are
 * write-once per task and attempt, and no message can overwrite another's.
 */
export interface DeliveryTag {
  /** Hex digest of the message id. */
  digest: string;
  attempt: number;
}

const tagOf = (tag: DeliveryTag | undefined): string => (tag ? `.m${tag.digest}-a${tag.attempt}` : '');

/** The optional delivery tag of a dead-letter name (`.m<digest>-a<attempt>`), as a pattern. */
const TAG = String.raw`(?:\.m[0-9a-f]{1,64}-a\d{1,6})?`;
/** `page-000001[.m<digest>-a<attempt>].json`: the dead-letter record of a page. */
export const DEAD_PAGE_FILE = new RegExp(String.raw`^page-(\d{6,})${TAG}\.json$`);
/** `slice-000003[…].json`: the dead-letter record of a cursor slice. */
export const DEAD_SLICE_FILE = new RegExp(String.raw`^slice-(\d{6,})${TAG}\.json$`);
/** `page-s000003-000001[…].json`: the dead-letter record of a page of a split window. */
export const DEAD_SLICE_PAGE_FILE = new RegExp(String.raw`^page-s(\d{6,})-(\d{6,})${TAG}\.json$`);

/**
 * Dead-letter record of page `index` (`page-000001.m<digest>-a<attempt>.json`)
 * or of cursor slice `index` (`slice-000003….json`).
 */
export function deadLetterKey(run: RunRef, index: number, kind: 'page' | 'slice' = 'page', tag?: DeliveryTag): string {
  return `${deadLetterPrefix(run)}${kind}-${pad(index)}${tagOf(tag)}.json`;
}

/** Dead-letter record of the compaction of partition `dt` (`compact-dt=2024-07-01….json`). */
export function compactDeadLetterKey(run: RunRef, dt: string, tag?: DeliveryTag): string {
  return `${deadLetterPrefix(run)}compact-dt=${dt}${tagOf(tag)}.json`;
}

/** Dead-letter record of page `page` of slice `slice` of a split window (`page-s000003-000001….json`). */
export function slicePageDeadLetterKey(run: RunRef, slice: number, page: number, tag?: DeliveryTag): string {
  return `${deadLetterPrefix(run)}${slicePageStem(slice, page)}${tagOf(tag)}.json`;
}

/** Messages too malformed to name a run land here, one per message id (a digest of it). */
export const malformedKey = (digest: string): string => `${BOOKKEEPING_ROOT}deadletter/_malformed/${digest}.json`;

/**
 * Tasks of a run that was never planned (no manifest), or of a slice the plan
 * does not hold: outside every run's folder, one per message id.
 */
export const unplannedKey = (digest: string): string => `${BOOKKEEPING_ROOT}deadletter/_unplanned/${digest}.json`;

export const stateKey = (service: string, endpoint: string, name: string): string =>
  `${BOOKKEEPING_ROOT}state/${service}/${endpoint}/${name}`;

/**
 * Where a version before the `_rdc/` root kept a run's manifest, and an
 * endpoint's state: read only to say that such a run cannot be read.
 */
export const legacyManifestKey = (run: RunIdentity): string =>
  `${tableFolder(run)}dt=${utcDate(run.window.start)}/run=${run.runId}/_manifest.json`;
export const legacyStateKey = (service: string, endpoint: string, name: string): string =>
  `_state/${service}/${endpoint}/${name}`;

/** Register of the runs planned for an endpoint: one tiny object per run, named by its run id. */
export const plannedRunsPrefix = (service: string, endpoint: string): string => stateKey(service, endpoint, 'runs/');
export const plannedRunKey = (run: Pick<RunIdentity, 'service' | 'endpoint' | 'runId'>): string =>
  `${plannedRunsPrefix(run.service, run.endpoint)}${run.runId}.json`;

/** Records of the windows planned as consecutive runs (backfills): one per window, named by its run id. */
export const backfillsPrefix = (service: string, endpoint: string): string => stateKey(service, endpoint, 'backfills/');

/** The page encoding of a run, claimed once by its first writer: every writer of the run then uses it. */
export const encodingKey = (run: RunRef): string => `${runFolder(run)}encoding.json`;

/** Where a retired run's objects go, each under its original key (`--repair`). */
export const retiredPrefix = (run: RunRef, stamp: string): string =>
  `${BOOKKEEPING_ROOT}retired/${run.service}/${run.endpoint}/run=${run.runId}/${stamp}/`;

/**
 * Compaction of a sealed run (see compact/): its records again, as Parquet, in
 * a table folder of their own beside the NDJSON one, so a reader given either
 * folder reads one format:
 *
 *   <service>/<endpoint>.parquet/dt=<date>/run=<runId>/part-000001.parquet
 *   _rdc/runs/<service>/<endpoint>/run=<runId>/compacted/dt=<date>.json   (the partition is compacted and checked)
 *   _rdc/runs/<service>/<endpoint>/run=<runId>/_COMPACTED                 (every partition of the run is)
 *
 * Names cannot collide with an endpoint's table folder: endpoint names hold no `.`.
 */
export const parquetTableFolder = (run: Pick<RunIdentity, 'service' | 'endpoint'>): string =>
  `${run.service}/${run.endpoint}.parquet/`;

/** One run's Parquet files of one UTC date: `<service>/<endpoint>.parquet/dt=<date>/run=<runId>/`. */
export const parquetPartitionFolder = (run: RunRef, dt: string): string =>
  `${parquetTableFolder(run)}dt=${dt}/run=${run.runId}/`;

/** File `index` (1-based) of one partition of a run: `…/part-000001.parquet`. */
export const parquetKey = (run: RunRef, dt: string, index: number): string =>
  `${parquetPartitionFolder(run, dt)}part-${pad(index)}.parquet`;
export const PARQUET_FILE = /^part-(\d{6,})\.parquet$/;

/** The marker of one compacted partition, written once after its files were read back and checked. */
export const compactedPrefix = (run: RunRef): string => `${runFolder(run)}compacted/`;
export const compactedPartitionKey = (run: RunRef, dt: string): string => `${compactedPrefix(run)}dt=${dt}.json`;
export const COMPACTED_PARTITION_FILE = /^dt=(\d{4}-\d{2}-\d{2})\.json$/;
/** The marker of a compacted run: every partition's marker is there and their records add up to the seal's. */
export const compactedRunKey = (run: RunRef): string => `${runFolder(run)}_COMPACTED`;
/** Written once a sealed run's compaction tasks were published, by whichever step sealed it or saw it sealed. */
export const compactionRequestedKey = (run: RunRef): string => `${runFolder(run)}compaction-requested.json`;
