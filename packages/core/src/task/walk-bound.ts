import type { ServiceConfig } from '@rdc/contracts';
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
