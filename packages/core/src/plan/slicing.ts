import { ConfigError, PermanentError, TransientError, type Pagination, type Window } from '@rdc/contracts';
import { MAX_SLICES } from '../defaults.js';

/**
 * Splits [start, end) into time slices aligned to UTC multiples of `sliceMs`
 * since the epoch (`1d` slices start at 00:00Z, whatever offset the window was
 * given in). The first and last slices are clipped to the window. Consecutive
 * slices share a boundary, so together they cover the window with no gap and
 * no overlap; each is half-open like the window.
 */
export function splitWindow(window: Window, sliceMs: number): Window[] {
  if (!Number.isSafeInteger(sliceMs) || sliceMs <= 0) {
    throw new RangeError(`Expected sliceMs to be a positive integer, got \`${sliceMs}\` (${typeof sliceMs})`);
  }
  const start = window.start.getTime();
  const end = window.end.getTime();
  if (!(start < end)) {
    throw new RangeError(`Expected a window with start < end, got [${String(window.start)}, ${String(window.end)})`);
  }
  const count = Math.floor((end - 1) / sliceMs) - Math.floor(start / sliceMs) + 1;
  if (count > MAX_SLICES) {
    throw new ConfigError(
      `Slices of ${sliceMs} ms split [${window.start.toISOString()}, ${window.end.toISOString()}) into ${count} slices; ` +
        `a run has at most ${MAX_SLICES}. Use a longer --slice (e.g. 1h or 1d) or a shorter window.`,
    );
  }
  const slices: Window[] = [];
  for (let at = start; at < end;) {
    const next = Math.min(end, (Math.floor(at / sliceMs) + 1) * sliceMs);
    slices.push({ start: new Date(at), end: new Date(next) });
    at = next;
  }
  return slices;
}

/**
 * Pages of `pageSize` the API lets us reach in one window, when it caps how
 * deep a query may go (`maxOffset` for offset style, `maxPage` for page style);
 * undefined when there is no cap.
 */
export function maxReachablePages(pagination: Pagination, pageSize: number): number | undefined {
  if (pagination.style === 'offset' && pagination.maxOffset !== undefined) {
    // Page p starts at offset (p - 1) * pageSize, and the API serves offsets up to maxOffset.
    return Math.floor(pagination.maxOffset / pageSize) + 1;
  }
  if (pagination.style === 'page' && pagination.maxPage !== undefined) {
    return pagination.maxPage - pagination.firstPage + 1;
  }
  return undefined;
}

export interface Counted {
  /** Records in the window; undefined when the API reports only pages. */
  total: number | undefined;
  pages: number;
}

export interface FittedSlice extends Counted {
  start: Date;
  end: Date;
}

const iso = (w: Window): string => `[${w.start.toISOString()}, ${w.end.toISOString()})`;

/**
 * Halves `window` until every part holds at most `maxPages` pages, counting
 * each half with `count`. Returns the parts in time order; together they cover
 * the window exactly. Halves split on whole seconds while the span allows.
 *
 * The halves' totals must add up to the whole's: a difference means records
 * moved inside the pinned window, or the API's window filter is not half-open
 * (an inclusive end counts boundary records twice). Either would lose or
 * duplicate rows, so it is an error rather than a plan.
 */
export async function splitToFit(
  window: Window,
  counted: Counted,
  maxPages: number,
  count: (window: Window) => Promise<Counted>,
): Promise<FittedSlice[]> {
  if (counted.pages <= maxPages) return [{ ...window, ...counted }];
  const start = window.start.getTime();
  const span = window.end.getTime() - start;
  if (span < 2) {
    throw new PermanentError(
      `${counted.total ?? `${counted.pages} pages of`} records share the instant ${window.start.toISOString()}, more than the ` +
        `${maxPages} pages the API's offset cap lets us reach; splitting by time cannot get under the cap. ` +
        'Raise maxOffset/maxPage in the endpoint config if the API allows it.',
    );
  }
  const mid = new Date(start + (span >= 2000 ? Math.floor(span / 2000) * 1000 : Math.floor(span / 2)));
  const left = { start: window.start, end: mid };
  const right = { start: mid, end: window.end };
  const [l, r] = await Promise.all([count(left), count(right)]);
  if (
    counted.total !== undefined &&
    l.total !== undefined &&
    r.total !== undefined &&
    l.total + r.total !== counted.total
  ) {
    throw new TransientError(
      `The API counts ${counted.total} records in ${iso(window)} but ${l.total} + ${r.total} in its halves ${iso(left)} and ${iso(right)}. ` +
        'Records changed inside the pinned window, or the API does not treat end_date as exclusive; planning stopped so no row is lost or duplicated.',
    );
  }
  return [...(await splitToFit(left, l, maxPages, count)), ...(await splitToFit(right, r, maxPages, count))];
}
