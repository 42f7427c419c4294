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
 * Object layout, relative to the sink's root (bucket prefix or folder):
 *
 *   <service>/<endpoint>/dt=<window start date>/run=<runId>/page-000001.ndjson
 *   <service>/<endpoint>/dt=<window start date>/run=<runId>/page-s000003-000001.ndjson  (slice 3, page 1)
 *   <service>/<endpoint>/dt=<window start date>/run=<runId>/_slice-000003.json         (slice 3 walked to its end)
 *   <service>/<endpoint>/dt=<window start date>/run=<runId>/_manifest.json
 *   <service>/<endpoint>/dt=<window start date>/run=<runId>/_SUCCESS
 *   _deadletter/<service>/<endpoint>/run=<runId>/page-000001.json
 *   _deadletter/<service>/<endpoint>/run=<runId>/slice-000003.json         (a cursor slice)
 *   _deadletter/<service>/<endpoint>/run=<runId>/page-s000003-000001.json  (a page of a split window)
 *   _state/<service>/<endpoint>/watermark.json
 *   _state/<service>/<endpoint>/runs/<runId>.json                          (the run was planned)
 *
 * Pages of a sliced run (cursor slices, or a window split under an offset cap)
 * carry the slice number first, so names sort in record order.
 *
 * `dt` and `run` are Hive-style partitions (BigQuery external tables, Spark);
 * both skip files that start with `_`.
 */
export function runPrefix(run: Pick<RunIdentity, 'service' | 'endpoint' | 'runId' | 'window'>): string {
  const dt = run.window.start.toISOString().slice(0, 10);
  return `${run.service}/${run.endpoint}/dt=${dt}/run=${run.runId}/`;
}

const pad = (n: number): string => String(n).padStart(INDEX_DIGITS, '0');
export const PAGE_FILE = /^page-(\d{6,})\.ndjson(\.gz)?$/;
/** A page of a slice: `page-s<slice>-<page>.ndjson`. */
export const SLICE_PAGE_FILE = /^page-s(\d{6,})-(\d{6,})\.ndjson(\.gz)?$/;
/** The marker a slice walk writes when it reached the end of its slice. */
export const SLICE_MARKER_FILE = /^_slice-(\d{6,})\.json$/;

export function pageFileName(page: number, gzip = false): string {
  return `page-${pad(page)}.ndjson${gzip ? '.gz' : ''}`;
}

export function slicePageFileName(slice: number, page: number, gzip = false): string {
  return `page-s${pad(slice)}-${pad(page)}.ndjson${gzip ? '.gz' : ''}`;
}

export function pageKey(run: Parameters<typeof runPrefix>[0], page: number, gzip = false): string {
  return `${runPrefix(run)}${pageFileName(page, gzip)}`;
}

/** Page `page` (1-based) of slice `slice` (1-based). */
export function slicePageKey(run: Parameters<typeof runPrefix>[0], slice: number, page: number, gzip = false): string {
  return `${runPrefix(run)}${slicePageFileName(slice, page, gzip)}`;
}

/** Prefix of every page of one slice (`page-s000003-`). */
export const slicePagePrefix = (run: Parameters<typeof runPrefix>[0], slice: number): string =>
  `${runPrefix(run)}page-s${pad(slice)}-`;

export const sliceMarkerKey = (run: Parameters<typeof runPrefix>[0], slice: number): string =>
  `${runPrefix(run)}_slice-${pad(slice)}.json`;

export const manifestKey = (run: Parameters<typeof runPrefix>[0]): string => `${runPrefix(run)}_manifest.json`;
export const successKey = (run: Parameters<typeof runPrefix>[0]): string => `${runPrefix(run)}_SUCCESS`;

export function deadLetterPrefix(run: Pick<RunIdentity, 'service' | 'endpoint' | 'runId'>): string {
  return `_deadletter/${run.service}/${run.endpoint}/run=${run.runId}/`;
}

/** Dead-letter record of page `index` (`page-000001.json`) or of cursor slice `index` (`slice-000003.json`). */
export function deadLetterKey(
  run: Pick<RunIdentity, 'service' | 'endpoint' | 'runId'>,
  index: number,
  kind: 'page' | 'slice' = 'page',
): string {
  return `${deadLetterPrefix(run)}${kind}-${pad(index)}.json`;
}

/** Dead-letter record of page `page` of slice `slice` of a split window (`page-s000003-000001.json`). */
export function slicePageDeadLetterKey(
  run: Pick<RunIdentity, 'service' | 'endpoint' | 'runId'>,
  slice: number,
  page: number,
): string {
  return `${deadLetterPrefix(run)}page-s${pad(slice)}-${pad(page)}.json`;
}

/** Messages too malformed to name a run land here, keyed by a digest of the message id. */
export const malformedKey = (digest: string): string => `_deadletter/_malformed/${digest}.json`;

export const stateKey = (service: string, endpoint: string, name: string): string =>
  `_state/${service}/${endpoint}/${name}`;

/** Register of the runs planned for an endpoint: one tiny object per run, named by its run id. */
export const plannedRunsPrefix = (service: string, endpoint: string): string => stateKey(service, endpoint, 'runs/');
export const plannedRunKey = (run: Pick<RunIdentity, 'service' | 'endpoint' | 'runId'>): string =>
  `${plannedRunsPrefix(run.service, run.endpoint)}${run.runId}.json`;
