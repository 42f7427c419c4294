import { boundSpec, type EndpointConfig, type Log, type Source, timestampReader, type Window } from '@rdc/contracts';
import { DEFAULT_FAN_OUT, PAGES_PER_SLICE, MIN_PAGES_PER_SLICE } from '../defaults.js';

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;

export interface SliceChoice {
  sliceMs: number;
  /** Pages the probe suggests the window holds (undefined: it fits on the probed page). */
  estimatedPages: number | undefined;
}

/**
 * How many time slices a window of about `pages` pages should be cut into:
 * about one per PAGES_PER_SLICE pages, so each slice's partial last page
 * (the only request a slice adds over the ideal) costs a tenth at most; and at
 * least `fanOut` slices (the workers' slots) while each still holds
 * MIN_PAGES_PER_SLICE pages, so a dense window keeps every worker busy.
 */
export function slicesFor(pages: number, fanOut: number): number {
  const byCost = Math.round(pages / PAGES_PER_SLICE);
  const byWorkers = Math.min(fanOut, Math.floor(pages / MIN_PAGES_PER_SLICE));
  return Math.max(1, byCost, byWorkers);
}

/** `ms` rounded up to a whole hour (or minute, or second) so slices start on readable UTC instants. */
export function roundSliceMs(ms: number): number {
  const unit = ms >= HOUR_MS ? HOUR_MS : ms >= MINUTE_MS ? MINUTE_MS : SECOND_MS;
  return Math.max(unit, Math.ceil(ms / unit) * unit);
}

/**
 * Chooses the slice size of a cursor-paginated window from its density: one
 * probe request reads the window's first page, and the time that page's
 * records cover (from the window's start for ascending order, from its end
 * for descending) tells how many pages the window holds. A page that is not
 * full means the window fits on it: one slice. Timestamps that cannot be read
 * fall back to `fallbackMs`.
 */
export async function probeSliceSize(
  source: Source,
  endpointName: string,
  endpoint: EndpointConfig,
  window: Window,
  fanOut: number | undefined,
  fallbackMs: number,
  log: Log,
): Promise<SliceChoice> {
  const pageSize = endpoint.pagination.pageSize;
  const start = window.start.getTime();
  const end = window.end.getTime();
  const span = end - start;
  let records: Record<string, unknown>[] = [];
  for await (const page of source.walkCursor(endpointName, window, pageSize)) {
    records = page.records;
    break;
  }
  if (records.length < pageSize) return { sliceMs: span, estimatedPages: undefined };
  const readTime = timestampReader(endpoint);
  const stamps = records.map((r) => readTime(r[endpoint.timestampField]));
  const first = stamps[0] ?? NaN;
  const last = stamps.at(-1) ?? NaN;
  if (!Number.isFinite(first) || !Number.isFinite(last)) {
    log.warn(
      `Cannot read "${endpoint.timestampField}" of the probed page of ${endpointName} as a time; slicing by the default slice size instead.`,
    );
    return { sliceMs: fallbackMs, estimatedPages: undefined };
  }
  const covered = Math.max(1, Math.min(span, first <= last ? last - start : end - last));
  const estimatedPages = span / covered;
  const slices = slicesFor(estimatedPages, fanOut ?? DEFAULT_FAN_OUT);
  // Slices on the API's resolution (whole days for a date-only filter), so each can be asked for exactly.
  const step = boundSpec(endpoint, endpointName).resolutionMs;
  const sliceMs = Math.ceil(roundSliceMs(span / slices) / step) * step;
  return { sliceMs: Math.min(span, sliceMs), estimatedPages };
}
