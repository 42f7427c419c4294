import { PermanentError, type ServiceConfig } from '@rdc/contracts';
import {
  MIN_WALK_PAGES,
  MIN_WALK_SECONDS,
  UNPROBED_WALK_PAGES,
  WALK_MARGIN,
  WALK_SECONDS_PER_PAGE,
} from '../defaults.js';
import type { RunManifest } from '../state/manifest.js';

/** How far one slice's cursor walk may go, and where each bound comes from (for messages). */
export interface WalkBound {
  maxPages: number;
  /** `limits.maxPagesPerSlice`, or how the bound was derived. */
  pagesFrom: string;
  maxSeconds: number;
  secondsFrom: string;
}

/**
 * The bound of a slice's walk: `limits.maxPagesPerSlice` / `limits.maxSliceSeconds`
 * when the service config sets them; else derived from the window's probed
 * density with a generous margin (WALK_MARGIN times the pages the probe
 * expects in the slice, at least MIN_WALK_PAGES), or UNPROBED_WALK_PAGES when
 * the slice size was fixed and nothing was probed. Read at every attempt, so a
 * raised limit applies when the run is resumed.
 */
export function walkBound(
  manifest: Pick<RunManifest, 'window' | 'estimatedPages'>,
  slice: { start: string; end: string },
  limits: Pick<ServiceConfig['limits'], 'maxPagesPerSlice' | 'maxSliceSeconds'>,
): WalkBound {
  let maxPages: number;
  let pagesFrom: string;
  if (limits.maxPagesPerSlice !== undefined) {
    maxPages = limits.maxPagesPerSlice;
    pagesFrom = 'limits.maxPagesPerSlice';
  } else if (manifest.estimatedPages !== undefined) {
    const span = Date.parse(manifest.window.end) - Date.parse(manifest.window.start);
    const share = (Date.parse(slice.end) - Date.parse(slice.start)) / span;
    const expected = Math.max(1, Math.ceil(manifest.estimatedPages * share));
    maxPages = Math.max(MIN_WALK_PAGES, WALK_MARGIN * expected);
    pagesFrom = `the probe's ~${expected} page(s) for this slice × ${WALK_MARGIN}, at least ${MIN_WALK_PAGES}; limits.maxPagesPerSlice overrides it`;
  } else {
    maxPages = UNPROBED_WALK_PAGES;
    pagesFrom = 'the default for unprobed slices; limits.maxPagesPerSlice overrides it';
  }
  if (limits.maxSliceSeconds !== undefined) {
    return { maxPages, pagesFrom, maxSeconds: limits.maxSliceSeconds, secondsFrom: 'limits.maxSliceSeconds' };
  }
  const maxSeconds = Math.max(MIN_WALK_SECONDS, WALK_SECONDS_PER_PAGE * maxPages);
  return {
    maxPages,
    pagesFrom,
    maxSeconds,
    secondsFrom: `${WALK_SECONDS_PER_PAGE} s per page of the page bound, at least ${MIN_WALK_SECONDS} s; limits.maxSliceSeconds overrides it`,
  };
}

/** What a bound stop names, besides the bound. */
export interface StopAt {
  /** e.g. `run … slice 2/4 [...)`. */
  where: string;
  /** The last cursor or next link (no secrets). */
  next: string;
  service: string;
  runId: string;
  /** The last response whose position is saved. */
  savedPage: number | undefined;
  /** False when the walk's position could not be saved (its next request would carry a credential). */
  saving: boolean;
}

/**
 * The error of a walk that took its bound of pages or seconds (counted from
 * where it started or resumed) while the API still offers more; undefined
 * while inside both bounds.
 */
export function boundStop(
  bound: WalkBound,
  requests: number,
  elapsedMs: number,
): ((at: StopAt) => PermanentError) | undefined {
  const pagesOver = requests >= bound.maxPages;
  if (!pagesOver && elapsedMs < bound.maxSeconds * 1000) return undefined;
  const setting = pagesOver ? 'limits.maxPagesPerSlice' : 'limits.maxSliceSeconds';
  const what = pagesOver
    ? `${requests} pages, its bound of ${bound.maxPages} (${bound.pagesFrom})`
    : `${Math.round(elapsedMs / 1000)} s, its bound of ${bound.maxSeconds} s (${bound.secondsFrom})`;
  return (at) => {
    const raise = `raise ${setting} in the service config of "${at.service}" (or plan smaller slices with --slice)`;
    const next = at.saving
      ? `Its progress is saved after page ${at.savedPage ?? requests}: --resume ${at.runId} continues the slice from there ` +
        `with one more bound's worth of pages and seconds (each resume grants one more bound, so a cursor that never ends still stops every time). ` +
        `If the slice really holds much more, ${raise} before resuming; if the cursor never ends, the API's pagination is broken for this slice.`
      : `Its position could not be saved (the next request would carry a credential), so --resume ${at.runId} walks the slice again ` +
        `${at.savedPage === undefined ? 'from its start' : `from page ${at.savedPage + 1}`} under the same bound: if the slice really holds more, ${raise} and resume the run; ` +
        `if the cursor never ends, the API's pagination is broken for this slice.`;
    return new PermanentError(
      `${at.where}: the cursor walk took ${what}, and the API still offers a next page (last cursor ${JSON.stringify(at.next)}). ` +
        `Its cursor may never end. ${next}`,
      { runId: at.runId },
    );
  };
}
