import { PermanentError, RUN_ID_PATTERN, type Window } from '@rdc/contracts';

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
 *   <service>/<endpoint>/dt=<window start date>/run=<runId>/_manifest.json
 *   <service>/<endpoint>/dt=<window start date>/run=<runId>/_SUCCESS
 *   _deadletter/<service>/<endpoint>/run=<runId>/page-000001.json
 *   _state/<service>/<endpoint>/watermark.json
 *
 * `dt` and `run` are Hive-style partitions (BigQuery external tables, Spark);
 * both skip files that start with `_`.
 */
export function runPrefix(run: Pick<RunIdentity, 'service' | 'endpoint' | 'runId' | 'window'>): string {
  const dt = run.window.start.toISOString().slice(0, 10);
  return `${run.service}/${run.endpoint}/dt=${dt}/run=${run.runId}/`;
}

const PAGE_DIGITS = 6;
export const PAGE_FILE = /^page-(\d{6,})\.ndjson(\.gz)?$/;

export function pageFileName(page: number, gzip = false): string {
  return `page-${String(page).padStart(PAGE_DIGITS, '0')}.ndjson${gzip ? '.gz' : ''}`;
}

export function pageKey(run: Parameters<typeof runPrefix>[0], page: number, gzip = false): string {
  return `${runPrefix(run)}${pageFileName(page, gzip)}`;
}

export const manifestKey = (run: Parameters<typeof runPrefix>[0]): string => `${runPrefix(run)}_manifest.json`;
export const successKey = (run: Parameters<typeof runPrefix>[0]): string => `${runPrefix(run)}_SUCCESS`;

export function deadLetterPrefix(run: Pick<RunIdentity, 'service' | 'endpoint' | 'runId'>): string {
  return `_deadletter/${run.service}/${run.endpoint}/run=${run.runId}/`;
}

export function deadLetterKey(run: Pick<RunIdentity, 'service' | 'endpoint' | 'runId'>, page: number): string {
  return `${deadLetterPrefix(run)}page-${String(page).padStart(PAGE_DIGITS, '0')}.json`;
}

/** Messages too malformed to name a run land here, keyed by a digest of the message id. */
export const malformedKey = (digest: string): string => `_deadletter/_malformed/${digest}.json`;

export const stateKey = (service: string, endpoint: string, name: string): string =>
  `_state/${service}/${endpoint}/${name}`;
