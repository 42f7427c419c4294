import { z } from 'zod';
import { resolveEndpoint, type Sink, type Window } from '@rdc/contracts';
import { backfillsPrefix, makeRunId, parseRunId, plannedRunsPrefix, runIdsStartingAt } from '../bucket-layout.js';
import { readStateFile } from '../state/state-files.js';
import { TooManyPagesError } from './counting.js';
import { OverlapError } from './overlap.js';
import { planRun, type PlannerDeps, type PlanRequest, type PlanResult } from './plan-run.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Share of the estimated fitting span a run is cut to: records are rarely spread
 * evenly, and a run that still holds too many pages is cut again (one more count).
 */
const FILL = 0.9;

/** The span of a window of `pages` pages that holds about `maxPages` pages, records spread evenly. */
function fittingSpan(error: TooManyPagesError): number {
  const span = error.window.end.getTime() - error.window.start.getTime();
  return Math.floor(((span * error.maxPages) / error.pages) * FILL);
}

/**
 * The end of the next run from `cursor`: `span` later, rounded down to a whole
 * hour, minute, second or millisecond (the coarsest that still moves forward and
 * stays before `limit`). Undefined when no end fits.
 */
export function runEnd(cursor: number, span: number, limit: number): number | undefined {
  for (const unit of [HOUR, MINUTE, SECOND, 1]) {
    if (span < unit) continue;
    const end = Math.floor((cursor + span) / unit) * unit;
    if (end > cursor && end < limit) return end;
  }
  return undefined;
}

/** The end of a run already planned from `cursor` that ends at or before `limit`: a retried backfill reuses its runs. */
async function plannedEnd(
  sink: Sink,
  service: string,
  endpoint: string,
  cursor: Date,
  limit: number,
): Promise<number | undefined> {
  const prefix = plannedRunsPrefix(service, endpoint);
  let best: number | undefined;
  for (const key of await sink.list(`${prefix}${runIdsStartingAt(service, endpoint, cursor)}`)) {
    let end: number;
    try {
      end = parseRunId(key.slice(prefix.length).replace(/\.json$/, '')).window.end.getTime();
    } catch {
      continue;
    }
    if (end <= limit && (best === undefined || end > best)) best = end;
  }
  return best;
}

/** The span for the next run, from the density of the run just planned (more records, shorter runs). */
function nextSpan(result: PlanResult, maxPages: number, span: number): number {
  const { window, pages } = result.manifest;
  const planned = Date.parse(window.end) - Date.parse(window.start);
  if (result.manifest.plan === 'slices') return span;
  return pages === 0 ? span * 2 : Math.max(1, Math.floor(((planned * maxPages) / pages) * FILL));
}

/**
 * The record that a window is being planned as consecutive runs: its runs then
 * overlap the window itself, and a retried plan of the window continues them
 * instead of refusing the overlap.
 */
const backfillKey = (service: string, endpoint: string, window: Window): string =>
  `${backfillsPrefix(service, endpoint)}${makeRunId(service, endpoint, window)}.json`;
const BackfillRecord = z.object({ spanMs: z.number().int().positive() });

async function readBackfill(sink: Sink, req: PlanRequest, window: Window): Promise<number | undefined> {
  const key = backfillKey(req.service, req.endpoint, window);
  return (await readStateFile(sink, key, BackfillRecord, `Delete ${key} to plan the window from scratch.`))?.spanMs;
}

async function recordBackfill(sink: Sink, req: PlanRequest, window: Window, span: number): Promise<void> {
  const body = Buffer.from(`${JSON.stringify({ window, spanMs: Math.max(1, span) })}\n`);
  await sink.put(backfillKey(req.service, req.endpoint, window), body, { contentType: 'application/json' });
}

export interface BackfillHooks {
  /** Called after each run is planned (and published), in window order. */
  onRun?(result: PlanResult, index: number): void | Promise<void>;
}

/**
 * Plans a window of any length: as one run when it fits `limits.maxPagesPerRun`,
 * else as consecutive runs that each fit, planned and published in window order.
 * Each run is an ordinary run (its own id, manifest and seal); the watermark
 * moves over them as they seal (state/watermark.ts). The cut points come from
 * the counts, rounded to whole hours where the density allows; a retried
 * backfill takes the runs it already planned as they are, so it maps to the
 * same runs and publishes only what is missing.
 */
export async function planBackfill(
  req: PlanRequest,
  deps: PlannerDeps,
  hooks: BackfillHooks = {},
): Promise<PlanResult[]> {
  let window: Window;
  let span: number;
  try {
    const only = await planRun(req, deps);
    await hooks.onRun?.(only, 0);
    return [only];
  } catch (error) {
    if (error instanceof TooManyPagesError) {
      window = error.window;
      span = fittingSpan(error);
      deps.log.info(
        `${req.service}/${req.endpoint}: [${window.start.toISOString()}, ${window.end.toISOString()}) holds ${error.pages} pages, ` +
          `more than limits.maxPagesPerRun (${error.maxPages}); planning it as consecutive runs that each fit`,
      );
    } else {
      // A retried backfill: its runs overlap the window it was asked for.
      const planned = error instanceof OverlapError ? await readBackfill(deps.sink, req, error.window) : undefined;
      if (planned === undefined || !(error instanceof OverlapError)) throw error;
      window = error.window;
      span = planned;
      deps.log.info(
        `${req.service}/${req.endpoint}: continuing the backfill of [${window.start.toISOString()}, ${window.end.toISOString()})`,
      );
    }
  }
  const limit = window.end.getTime();
  const results: PlanResult[] = [];
  let cursor = window.start.getTime();
  const maxPages = resolveEndpoint(deps.catalog, req.service, req.endpoint).service.limits.maxPagesPerRun;
  while (cursor < limit) {
    const at = new Date(cursor);
    let end =
      (await plannedEnd(deps.sink, req.service, req.endpoint, at, limit)) ?? runEnd(cursor, span, limit) ?? limit;
    for (;;) {
      // The first run of an incremental plan keeps its request (watermark, lookback margin); the rest are explicit.
      const request: PlanRequest =
        results.length === 0 && !req.start ? { ...req, end: new Date(end) } : { ...req, start: at, end: new Date(end) };
      try {
        const result = await planRun(request, deps);
        // Recorded once its first run is planned: a window refused outright writes nothing.
        if (results.length === 0 && !req.dryRun) await recordBackfill(deps.sink, req, window, span);
        await hooks.onRun?.(result, results.length);
        results.push(result);
        span = nextSpan(result, maxPages, span);
        break;
      } catch (error) {
        if (!(error instanceof TooManyPagesError)) throw error;
        span = fittingSpan(error);
        const shorter = runEnd(cursor, span, end);
        // Not even a millisecond fits: the original error says what to raise.
        if (shorter === undefined) throw error;
        end = shorter;
      }
    }
    cursor = end;
  }
  return results;
}
