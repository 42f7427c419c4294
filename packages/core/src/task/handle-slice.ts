import { type CursorPage, type EndpointConfig, PermanentError, type SliceTask, timestampReader } from '@rdc/contracts';
import {
  pageRecordsPrefix,
  SLICE_PAGE_RECORD_FILE,
  sliceMarkerKey,
  slicePageRecordPrefix,
  slicePageStem,
} from '../bucket-layout.js';
import { allowListedEndpoint } from './allow-list.js';
import { createTaskCaches, runOf, toWindow, type HandlerDeps, type TaskResult } from './handler-deps.js';
import { landPage } from './land-page.js';
import { landedPageIds, readPageRecord } from '../state/page-records.js';
import { sliceNumberOf } from './slice-number.js';
import { checkRecords } from './validate-page.js';
import { countDrift } from '../state/drift.js';
import { walkBound, type WalkBound } from './walk-bound.js';
import { idsOf } from '../state/page-summary.js';

/** What `slices/slice-NNNNNN.json` holds: the walk reached the end of the slice. */
export interface SliceMarker {
  v: 1;
  runId: string;
  slice: number;
  window: { start: string; end: string };
  pages: number;
  records: number;
  completedAt: string;
}

/** The same ids in any order (a repeated id counts as often as it appears). */
const sameIdsAnyOrder = (a: readonly string[], b: readonly string[]): boolean => {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((id, i) => id === y[i]);
};

/**
 * Follows the cursor through one time slice of a cursor-paginated endpoint.
 * Each page is checked (schema, inside the slice, no id twice in the walk) and
 * landed as it comes as `page-s<slice>-<page>` (one part per UTC date, then
 * its page record; empty pages are followed but not landed, so `<page>` counts
 * the pages with records); when the walk ends (no next link or cursor,
 * `has_more: false`) the slice's marker `slices/slice-<slice>.json` records its
 * pages and records. The walk is bounded in pages and seconds (see
 * `walkBound`): past either bound the slice fails, naming its last cursor.
 *
 * A retried slice walks again from the start (a cursor cannot be resumed) but
 * writes only the pages that have not landed; a landed page must hold the ids
 * the API serves now, or the slice's data changed under it and it fails.
 */
export async function handleSliceTask(
  task: SliceTask,
  deps: HandlerDeps,
  endpoint: EndpointConfig = allowListedEndpoint(task, deps.catalog),
): Promise<TaskResult> {
  const caches = deps.caches ?? createTaskCaches(deps.sink);
  const run = runOf(task);
  const slice = await sliceNumberOf(task, caches.manifests);
  const marker = sliceMarkerKey(run, slice);
  if (await deps.sink.exists(marker)) return { outcome: 'already-landed', key: marker, records: 0 };

  const where = `run ${task.runId} slice ${slice}/${task.slices} [${task.slice.start}, ${task.slice.end})`;
  const context = { runId: task.runId };
  const removeHint = `Remove the slice's page records (${slicePageRecordPrefix(run, slice)}*) and their parts (${slicePageStem(slice, 1).slice(0, -6)}*.ndjson* under every dt= folder of the run), then resume the run to read the slice again.`;
  const prefix = pageRecordsPrefix(run);
  const landed = new Map<number, string>();
  for (const key of await deps.sink.list(slicePageRecordPrefix(run, slice))) {
    const match = SLICE_PAGE_RECORD_FILE.exec(key.slice(prefix.length));
    if (match) landed.set(Number(match[2]), key);
  }

  const manifest = await caches.manifests.get(run);
  const limits = deps.catalog.services.get(task.service)?.limits ?? {};
  const bound = walkBound(manifest ?? { window: task.window }, task.slice, limits);
  const now = deps.now ?? Date.now;
  const started = now();

  const seen = new Set<string>();
  /** Checks and lands one page with records; returns the records this call wrote. */
  const take = async (page: CursorPage): Promise<number> => {
    checkRecords(
      page.records,
      endpoint,
      { bounds: task.slice, where: `${where} page ${page.page}`, context, seen },
      caches.schemas,
    );
    const existing = landed.get(page.page);
    const record = existing ? await readPageRecord(deps.sink, existing) : undefined;
    const before = record ? await landedPageIds(deps.sink, record, endpoint.idField) : undefined;
    if (before) {
      const served = idsOf(page.records, endpoint.idField);
      if (!sameIdsAnyOrder(before, served)) {
        throw new PermanentError(
          `${where}: page ${page.page} landed earlier with ${before.length} records, but the API now serves ${served.length} different ones there. ` +
            `The slice's data changed between attempts, so its pages would overlap or miss rows. ${removeHint}`,
          context,
        );
      }
      return 0;
    }
    const metadata: Record<string, string> = {
      runId: task.runId,
      slice: String(slice),
      slices: String(task.slices),
      page: String(page.page),
      records: String(page.records.length),
      sliceStart: task.slice.start,
      sliceEnd: task.slice.end,
    };
    if (page.requestId) metadata.apiRequestId = page.requestId;
    const landedPage = await landPage(
      { ...deps, caches },
      {
        run,
        stem: slicePageStem(slice, page.page),
        records: page.records,
        timestampField: endpoint.timestampField,
        readTime: timestampReader(endpoint),
        idField: endpoint.idField,
        metadata,
        drift: countDrift(page.records, endpoint.schema, caches.schemas.for(endpoint).tree),
        where: `${where} page ${page.page}`,
        context,
      },
    );
    return landedPage.outcome === 'created' ? page.records.length : 0;
  };

  /** Pages with records (empty ones are followed, not landed), and their records. */
  let pages = 0;
  let records = 0;
  /** Records whose pages this call wrote (not an earlier attempt, not another writer). */
  let landedHere = 0;
  for await (const response of deps
    .sourceFor(task.service)
    .walkCursor(task.endpoint, toWindow(task.slice), task.pageSize)) {
    if (response.records.length > 0) {
      pages++;
      records += response.records.length;
      landedHere += await take({ ...response, page: pages });
    }
    if (response.next !== undefined) checkBound(bound, response.page, now() - started, response.next, where, task);
  }

  const extra = [...landed.keys()].filter((p) => p > pages);
  if (extra.length > 0) {
    throw new PermanentError(
      `${where}: the walk ended after ${pages} page(s), but page(s) ${extra.join(', ')} landed on an earlier attempt. ` +
        `The slice's data changed between attempts. ${removeHint}`,
      context,
    );
  }
  const body: SliceMarker = {
    v: 1,
    runId: task.runId,
    slice,
    window: task.slice,
    pages,
    records,
    completedAt: new Date().toISOString(),
  };
  const outcome = await deps.sink.putIfAbsent(marker, Buffer.from(`${JSON.stringify(body)}\n`), {
    contentType: 'application/json',
  });
  return { outcome: outcome === 'created' ? 'landed' : 'already-landed', key: marker, records: landedHere };
}

/** Fails the walk once it has taken its bound of pages or seconds and the API still offers more. */
function checkBound(
  bound: WalkBound,
  requests: number,
  elapsedMs: number,
  next: string,
  where: string,
  task: SliceTask,
) {
  const pagesOver = requests >= bound.maxPages;
  if (!pagesOver && elapsedMs < bound.maxSeconds * 1000) return;
  const setting = pagesOver ? 'limits.maxPagesPerSlice' : 'limits.maxSliceSeconds';
  const what = pagesOver
    ? `${requests} pages, its bound of ${bound.maxPages} (${bound.pagesFrom})`
    : `${Math.round(elapsedMs / 1000)} s, its bound of ${bound.maxSeconds} s (${bound.secondsFrom})`;
  throw new PermanentError(
    `${where}: the cursor walk took ${what}, and the API still offers a next page (last cursor ${JSON.stringify(next)}). ` +
      `Its cursor may never end. If the slice really holds more, raise ${setting} in the service config of "${task.service}" ` +
      `(or plan smaller slices with --slice) and resume the run (--resume ${task.runId}); if the cursor never ends, the API's pagination is broken for this slice.`,
    { runId: task.runId },
  );
}
