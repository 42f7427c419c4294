import { boundSpec, type EndpointConfig, type Log, type Source, timestampReader, type Window } from '@rdc/contracts';
import {
  DEFAULT_FAN_OUT,
  MIN_ADAPTIVE_SLICE_MS,
  MIN_PAGES_PER_SLICE,
  PAGES_PER_SLICE,
  PROBE_MAX_REQUESTS,
  PROBE_MIN_SPAN_MS,
} from '../defaults.js';

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;

export interface SliceChoice {
  sliceMs: number;
  /** Pages the probe suggests the window holds (undefined: its density could not be measured). */
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

/** What the probe read: the records of its pages with records, how many such pages, and whether the walk ended. */
interface Probed {
  records: Record<string, unknown>[];
  pages: number;
  ended: boolean;
}

/**
 * Reads the window's first pages: empty pages are followed, and a page whose
 * records share less than PROBE_MIN_SPAN_MS (a bulk import) is followed by one
 * more, PROBE_MAX_REQUESTS requests in all, since each probe request is one
 * over the ideal.
 */
async function probePages(
  source: Source,
  endpointName: string,
  endpoint: EndpointConfig,
  window: Window,
  spanOf: (records: Record<string, unknown>[]) => number,
): Promise<Probed> {
  const probed: Probed = { records: [], pages: 0, ended: false };
  let requests = 0;
  for await (const page of source.walkCursor(endpointName, window, endpoint.pagination.pageSize)) {
    requests++;
    if (page.records.length > 0) {
      probed.pages++;
      probed.records.push(...page.records);
    }
    if (page.next === undefined) probed.ended = true;
    if (probed.ended || requests >= PROBE_MAX_REQUESTS) break;
    if (probed.pages > 0 && spanOf(probed.records) >= PROBE_MIN_SPAN_MS) break;
  }
  return probed;
}

/**
 * Chooses the slice size of a cursor-paginated window from its density: the
 * probe reads the window's first page, and the time its records cover (from
 * the window's start for ascending order, from its end for descending) tells
 * how many pages the window holds. A walk that ends within the probe means the
 * window holds the pages it read. Records that share one instant (a bulk
 * import) are probed one page further; when they still cover less than a
 * second, the density cannot be measured and the window is one slice (walked
 * whole, never cut into a slice per second). Slices are at least
 * MIN_ADAPTIVE_SLICE_MS and never more than the estimated pages need.
 * Timestamps that cannot be read fall back to `fallbackMs`.
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
  const start = window.start.getTime();
  const end = window.end.getTime();
  const span = end - start;
  const readTime = timestampReader(endpoint);
  const stampsOf = (records: Record<string, unknown>[]): [number, number] => [
    readTime(records[0]?.[endpoint.timestampField]),
    readTime(records.at(-1)?.[endpoint.timestampField]),
  ];
  /** Time the records cover, from the window's edge they start at; NaN when unreadable. */
  const coveredBy = (records: Record<string, unknown>[]): number => {
    const [first, last] = stampsOf(records);
    return Math.min(span, first <= last ? last - start : end - last);
  };
  const probed = await probePages(source, endpointName, endpoint, window, (r) => coveredBy(r) || 0);
  if (probed.ended) {
    const pages = Math.max(1, probed.pages);
    const slices = slicesFor(pages, fanOut ?? DEFAULT_FAN_OUT);
    return { sliceMs: slices === 1 ? span : roundToApi(endpoint, endpointName, span, slices), estimatedPages: pages };
  }
  const [first, last] = stampsOf(probed.records);
  if (!Number.isFinite(first) || !Number.isFinite(last)) {
    log.warn(
      `Cannot read "${endpoint.timestampField}" of the probed page of ${endpointName} as a time; slicing by the default slice size instead.`,
    );
    return { sliceMs: fallbackMs, estimatedPages: undefined };
  }
  const covered = coveredBy(probed.records);
  if (covered < PROBE_MIN_SPAN_MS) {
    log.warn(
      `The ${probed.records.length} records of the probed pages of ${endpointName} cover less than a second (a bulk import?), ` +
        "so the window's density cannot be measured: it is walked as one slice. Pass --slice to fan it out over the workers.",
    );
    return { sliceMs: span, estimatedPages: undefined };
  }
  const estimatedPages = (probed.pages * span) / covered;
  const slices = slicesFor(estimatedPages, fanOut ?? DEFAULT_FAN_OUT);
  return { sliceMs: roundToApi(endpoint, endpointName, span, slices), estimatedPages };
}

/** `span / slices` rounded to readable instants, at least MIN_ADAPTIVE_SLICE_MS, on the API's resolution. */
function roundToApi(endpoint: EndpointConfig, endpointName: string, span: number, slices: number): number {
  // Slices on the API's resolution (whole days for a date-only filter), so each can be asked for exactly.
  const step = boundSpec(endpoint, endpointName).resolutionMs;
  const sliceMs = Math.ceil(Math.max(MIN_ADAPTIVE_SLICE_MS, roundSliceMs(span / slices)) / step) * step;
  return Math.min(span, sliceMs);
}
