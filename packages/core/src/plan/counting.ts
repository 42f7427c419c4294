import {
  ConfigError,
  MAX_PAGE_SIZE,
  MAX_PAGES_PER_RUN_CEILING,
  PermanentError,
  type EndpointConfig,
  type Log,
  type PageTask,
  type Source,
  type Window,
} from '@rdc/contracts';
import { DEFAULT_SLICE } from '../defaults.js';
import type { RunManifest } from '../state/manifest.js';
import { probeSliceSize } from './adaptive-slices.js';
import { maxReachablePages, splitToFit, splitWindow, type Counted } from './slicing.js';
import { formatDuration, parseDuration } from '../window.js';

/** ceil(total / pageSize): 0 records → 0 pages. */
export function pageCount(total: number, pageSize: number): number {
  if (!Number.isInteger(total) || total < 0)
    throw new RangeError(`Expected total to be an integer >= 0, got \`${total}\``);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new RangeError(`Expected pageSize to be an integer in 1..${MAX_PAGE_SIZE}, got \`${pageSize}\``);
  }
  return Math.ceil(total / pageSize);
}

/** Records page `page` (1-based) must hold: pageSize, or the remainder on the last page. */
export function expectedRecords(task: Pick<PageTask, 'page' | 'pages' | 'pageSize' | 'total'>): number {
  if (task.page < 1 || task.page > task.pages) {
    throw new PermanentError(`Page ${task.page} is outside the run's ${task.pages} pages.`);
  }
  if (task.page < task.pages) return task.pageSize;
  return task.total - (task.pages - 1) * task.pageSize;
}

export interface BuildInput {
  runId: string;
  service: string;
  endpoint: string;
  config: EndpointConfig;
  window: Window;
  /** `--slice`; else the endpoint's `slice`; else DEFAULT_SLICE. Cursor styles only. */
  sliceMs?: number | undefined;
  /** Cursor styles: worker slots the slices should keep busy (`--concurrency`). @default DEFAULT_FAN_OUT */
  fanOut?: number | undefined;
  plannedAt: Date;
  sinkUrl: string;
  /** The service's `limits.maxPagesPerRun`: a window of more pages is refused before anything is written. */
  maxPages: number;
}

const HOUR_MS = 3_600_000;

/**
 * A window holds more pages than one run may plan (`limits.maxPagesPerRun`).
 * Planning a backfill cuts such a window into consecutive runs that each fit
 * (plan/backfill.ts); it carries what that needs.
 */
export class TooManyPagesError extends ConfigError {
  constructor(
    message: string,
    readonly window: Window,
    readonly pages: number,
    readonly maxPages: number,
  ) {
    super(message);
    this.name = 'TooManyPagesError';
  }
}

/**
 * A counted window holds more pages than one run may plan: the message gives
 * the total, the pages and a window length that fits, so the user can split it.
 */
export function tooManyPages(
  input: Pick<BuildInput, 'service' | 'endpoint' | 'window' | 'maxPages'>,
  total: number | undefined,
  pages: number,
  pageSize: number,
): TooManyPagesError {
  const { window, maxPages } = input;
  const span = window.end.getTime() - window.start.getTime();
  // Assuming records spread evenly, a window this long holds about maxPages pages.
  const fits = Math.floor((span * maxPages) / pages);
  const step = fits >= HOUR_MS ? Math.floor(fits / HOUR_MS) * HOUR_MS : Math.max(1, Math.floor(fits / 1000)) * 1000;
  const firstEnd = new Date(Math.min(window.end.getTime(), window.start.getTime() + step));
  const records = total !== undefined ? `${total} records in ` : '';
  return new TooManyPagesError(
    `${input.service}/${input.endpoint}: ${records}[${window.start.toISOString()}, ${window.end.toISOString()}) make ${pages} pages of ${pageSize}, ` +
      `more than limits.maxPagesPerRun (${maxPages}) of service "${input.service}". Nothing was written. ` +
      `Split the window into runs of about ${formatDuration(step)} or less, e.g. --start_date ${window.start.toISOString()} --end_date ${firstEnd.toISOString()}, ` +
      `then continue from each end; or raise limits.maxPagesPerRun in the service config (at most ${MAX_PAGES_PER_RUN_CEILING}).`,
    window,
    pages,
    maxPages,
  );
}

const isCursor = (config: EndpointConfig): boolean => !['offset', 'page'].includes(config.pagination.style);

/** The slice size of a cursor-paginated endpoint: `--slice`, the config's `slice`, or the default. */
export function sliceSizeOf(input: Pick<BuildInput, 'service' | 'endpoint' | 'config' | 'sliceMs'>): number {
  if (input.sliceMs !== undefined) return input.sliceMs;
  return parseDuration(input.config.slice ?? DEFAULT_SLICE, `slice of ${input.service}/${input.endpoint}`);
}

/**
 * Decides how a new run fans out, and writes it down as a manifest:
 * - cursor styles have no total to count pages from: one task per time slice
 *   of `sliceMs`, aligned to UTC;
 * - counted styles: one task per page. When the pages exceed what the API's
 *   offset cap reaches, the window is halved until each slice fits, and the
 *   manifest lists the slices with their counts.
 */
export async function buildManifest(input: BuildInput, source: Source, log: Log): Promise<RunManifest> {
  const { config, window } = input;
  const pageSize = config.pagination.pageSize;
  const base = {
    v: 1 as const,
    runId: input.runId,
    service: input.service,
    endpoint: input.endpoint,
    window: { start: window.start.toISOString(), end: window.end.toISOString() },
    pageSize,
    plannedAt: input.plannedAt.toISOString(),
    sink: input.sinkUrl,
    idField: config.idField,
  };
  if (isCursor(config)) {
    // `--slice` or the config's `slice` decide; else the window's density, probed with one request.
    const fixed = input.sliceMs !== undefined || config.slice !== undefined;
    const fallbackMs = sliceSizeOf(input);
    const choice = fixed
      ? { sliceMs: fallbackMs, estimatedPages: undefined }
      : await probeSliceSize(source, input.endpoint, config, window, input.fanOut, fallbackMs, log);
    const sliceMs = choice.sliceMs;
    const slices = splitWindow(window, sliceMs).length;
    if (!fixed) {
      const density =
        choice.estimatedPages === undefined
          ? 'density not measured'
          : `about ${Math.ceil(choice.estimatedPages)} page(s)`;
      log.info(`Probed the window's first pages: ${density}; slices of ${formatDuration(sliceMs)} (${slices} slices)`);
    }
    // What the probe measured bounds each slice's walk (see walkBound).
    const estimatedPages = fixed ? undefined : choice.estimatedPages;
    return {
      ...base,
      total: 0,
      pages: slices,
      plan: 'slices',
      sliceMs,
      sliceCount: slices,
      ...(estimatedPages !== undefined && { estimatedPages }),
    };
  }
  if (input.sliceMs !== undefined) {
    log.warn(
      `--slice applies to cursor pagination; ${input.service}/${input.endpoint} uses ${config.pagination.style} pagination and is planned page by page.`,
    );
  }
  const cap = maxReachablePages(config.pagination, pageSize);
  const count = async (w: Window): Promise<Counted> => {
    const counted = await source.count(input.endpoint, w, pageSize);
    if (counted.total !== undefined) return { total: counted.total, pages: pageCount(counted.total, pageSize) };
    if (counted.pages === 0) return { total: 0, pages: 0 };
    if (cap !== undefined && counted.pages > cap) return { total: undefined, pages: counted.pages };
    // The API reports pages only (e.g. X-WP-TotalPages): the last page's size makes the total
    // exact, so every page, the last one too, is checked against an exact count.
    const last = await source.fetchPage({
      endpoint: input.endpoint,
      window: w,
      page: counted.pages,
      pageSize,
      runId: input.runId,
    });
    const total = (counted.pages - 1) * pageSize + last.records.length;
    return { total, pages: pageCount(total, pageSize) };
  };
  const whole = await count(window);
  if (whole.pages > input.maxPages) throw tooManyPages(input, whole.total, whole.pages, pageSize);
  if (cap === undefined || whole.pages <= cap) {
    return { ...base, total: whole.total ?? whole.pages * pageSize, pages: whole.pages };
  }
  const slices = await splitToFit(window, whole, cap, count);
  log.info(
    `${whole.pages} pages exceed the ${cap} the API's offset cap reaches; split the window into ${slices.length} time slices`,
  );
  const listed = slices.map((s) => ({
    start: s.start.toISOString(),
    end: s.end.toISOString(),
    total: s.total ?? s.pages * pageSize,
    pages: s.pages,
  }));
  return {
    ...base,
    total: listed.reduce((sum, s) => sum + s.total, 0),
    pages: listed.reduce((sum, s) => sum + s.pages, 0),
    plan: 'pages',
    sliceCount: listed.length,
    slices: listed,
  };
}
