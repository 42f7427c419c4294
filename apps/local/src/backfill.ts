import { OverlapError, runEnd, TooManyPagesError, type RunIdentity } from '@rdc/core';
import type { LocalArgs } from './cli.js';
import { runLocal, type LocalIo, type LocalSummary } from './run-local.js';

/** Share of the estimated fitting span a run is cut to (records are rarely spread evenly). */
const FILL = 0.9;

/** The span of a window that holds about `maxPages` pages, given one that held `pages`. */
const fitting = (spanMs: number, pages: number, maxPages: number): number =>
  Math.max(1, Math.floor(((spanMs * maxPages) / Math.max(1, pages)) * FILL));

/**
 * A window's earlier consecutive runs, when a backfill of it was started before:
 * runs that tile it from its start, none reaching past its end. Undefined for any
 * other overlap, which stays an error.
 */
function earlierRuns(error: OverlapError): RunIdentity[] | undefined {
  const { window } = error;
  const runs = [...error.overlapping].sort((a, b) => a.window.start.getTime() - b.window.start.getTime());
  let at = window.start.getTime();
  for (const run of runs) {
    if (run.window.start.getTime() !== at || run.window.end.getTime() > window.end.getTime()) return undefined;
    at = run.window.end.getTime();
  }
  return runs.length > 0 ? runs : undefined;
}

/**
 * `npm start` over a window of any length: one run as before, or, when the
 * window holds more pages than `limits.maxPagesPerRun`, consecutive runs that
 * each fit, each planned, worked and sealed before the next is planned (so one
 * run's tasks are in memory at a time). The command run again continues the
 * same runs: those already planned are resumed, the rest planned.
 */
export async function runLocalWindow(args: LocalArgs, io: LocalIo): Promise<{ code: number; summary?: LocalSummary }> {
  let window: { start: Date; end: Date };
  let span: number;
  let planned: RunIdentity[] = [];
  /** limits.maxPagesPerRun, once a count has told it. */
  let maxPages: number | undefined;
  try {
    return await runLocal(args, io);
  } catch (error) {
    const continued = error instanceof OverlapError && !args.allowOverlap ? earlierRuns(error) : undefined;
    if (error instanceof TooManyPagesError && !args.resume && !args.repair) {
      window = error.window;
      maxPages = error.maxPages;
      span = fitting(window.end.getTime() - window.start.getTime(), error.pages, error.maxPages);
      io.log.info(
        `${args.service}/${args.endpoint}: [${window.start.toISOString()}, ${window.end.toISOString()}) holds ${error.pages} pages, ` +
          `more than limits.maxPagesPerRun (${error.maxPages}); working it as consecutive runs that each fit`,
      );
    } else if (continued && error instanceof OverlapError) {
      window = error.window;
      planned = continued;
      const first = continued[0]!.window;
      span = first.end.getTime() - first.start.getTime();
      io.log.info(
        `${args.service}/${args.endpoint}: continuing the ${continued.length} runs already planned for this window`,
      );
    } else {
      throw error;
    }
  }
  const limit = window.end.getTime();
  let cursor = window.start.getTime();
  let code = 0;
  let last: LocalSummary | undefined;
  while (cursor < limit) {
    const existing = planned.find((r) => r.window.start.getTime() === cursor);
    let end = existing?.window.end.getTime() ?? runEnd(cursor, span, limit) ?? limit;
    for (;;) {
      try {
        const result = await runLocal({ ...args, startDate: new Date(cursor), endDate: new Date(end) }, io);
        code = Math.max(code, result.code);
        last = result.summary ?? last;
        // The next run's span follows the density of this one.
        if (maxPages !== undefined && result.summary?.plan === 'pages' && result.summary.pages > 0) {
          span = fitting(end - cursor, result.summary.pages, maxPages);
        }
        break;
      } catch (error) {
        if (!(error instanceof TooManyPagesError)) throw error;
        maxPages = error.maxPages;
        span = fitting(end - cursor, error.pages, error.maxPages);
        const shorter = runEnd(cursor, span, end);
        if (shorter === undefined) throw error;
        end = shorter;
      }
    }
    cursor = end;
  }
  return { code, ...(last ? { summary: last } : {}) };
}
