import { type CursorPage, type EndpointConfig, PermanentError, type SliceTask, timestampReader } from '@rdc/contracts';
import {
  pageRecordsPrefix,
  SLICE_PAGE_RECORD_FILE,
  sliceMarkerKey,
  slicePageRecordPrefix,
  slicePageStem,
  walkCheckpointKey,
} from '../bucket-layout.js';
import { allowListedEndpoint } from './allow-list.js';
import { createTaskCaches, runOf, toWindow, type HandlerDeps, type TaskResult } from './handler-deps.js';
import { landedByAnother, landPage, unnamedPartsError } from './land-page.js';
import { landedPageIds, type PageRecord, readPageRecord } from '../state/page-records.js';
import { sliceNumberOf } from './slice-number.js';
import { checkRecords } from './validate-page.js';
import { countDrift } from '../state/drift.js';
import { boundStop, walkBound } from './walk-bound.js';
import { idsOf } from '../state/page-summary.js';
import { loadWalk, type SavedWalk, WalkCheckpoints } from '../state/walk-checkpoint.js';

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
 * After each page has landed the walk saves where it is (`walks/slice-<slice>.json`),
 * so a redelivered or resumed slice continues from there: pages numbered on,
 * landed pages not asked for again, the loop keys of the whole walk kept. A
 * resume after a bound stop gets one more bound's worth: the bounds count from
 * where the walk stopped. A crash between a page and its checkpoint asks for
 * that page again; a landed page must hold the ids the API serves now, or the
 * slice's data changed under it and it fails.
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
  const removeHint = `Remove the slice's page records (${slicePageRecordPrefix(run, slice)}*), their parts (${slicePageStem(slice, 1).slice(0, -6)}*.ndjson* under every dt= folder of the run) and its walk checkpoint (${walkCheckpointKey(run, slice).slice(0, -5)}*), then resume the run to read the slice again.`;
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

  const ref = { run, slice, window: task.slice, where };
  const saved = await loadWalk(deps.sink, ref);
  const checkpoints = new WalkCheckpoints(deps.sink, ref, saved);
  const seen = saved
    ? await idsLanded(saved, landed, deps, endpoint.idField, { where, removeHint, context })
    : new Set<string>();
  /** Checks and lands one page with records; returns the records this call wrote. */
  const take = async (page: CursorPage): Promise<number> => {
    checkRecords(
      page.records,
      endpoint,
      { bounds: task.slice, where: `${where} page ${page.page}`, context, seen },
      caches.schemas,
    );
    /** A landed page must hold the ids the API serves now. */
    const sameAsLanded = async (stored: PageRecord): Promise<void> => {
      const before = await landedPageIds(deps.sink, stored, endpoint.idField);
      const served = idsOf(page.records, endpoint.idField);
      if (!sameIdsAnyOrder(before, served)) {
        throw new PermanentError(
          `${where}: page ${page.page} landed earlier with ${before.length} records, but the API now serves ${served.length} different ones there. ` +
            `The slice's data changed between attempts, so its pages would overlap or miss rows. ${removeHint}`,
          context,
        );
      }
    };
    const existing = landed.get(page.page);
    const record = existing ? await readPageRecord(deps.sink, existing) : undefined;
    if (record) {
      await sameAsLanded(record);
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
    if (landedPage.outcome === 'created') return page.records.length;
    // Another delivery of this slice landed the page meanwhile: its record names the parts that count.
    const toLand = { run, stem: slicePageStem(slice, page.page), where: `${where} page ${page.page}`, context };
    const { stored, unnamed } = await landedByAnother(deps.sink, toLand, landedPage.record);
    await sameAsLanded(stored);
    if (unnamed.length > 0) throw unnamedPartsError(toLand, stored, unnamed, removeHint);
    return 0;
  };

  /** Pages with records (empty ones are followed, not landed), and their records. */
  let pages = saved?.pages ?? 0;
  let records = saved?.records ?? 0;
  /** Records whose pages this call wrote (not an earlier attempt, not another writer). */
  let landedHere = 0;
  /** The response the bounds count from: 0, or where the walk last stopped at a bound. */
  const boundFrom = saved?.boundFrom ?? 0;
  /** The last saved position; once one cannot be saved (it would hold a secret), later ones are not saved either. */
  let savedPage: number | undefined = saved?.at.page;
  let saving = true;
  const resume = saved ? { from: saved.at, seen: saved.seen } : undefined;
  for await (const response of deps
    .sourceFor(task.service)
    .walkCursor(task.endpoint, toWindow(task.slice), task.pageSize, resume)) {
    if (response.records.length > 0) {
      pages++;
      records += response.records.length;
      landedHere += await take({ ...response, page: pages });
    }
    // A looping page ends the walk with the source's loop error, which says more than a bound would.
    if (response.next === undefined || response.loops) continue;
    const stop = boundStop(bound, response.page - boundFrom, now() - started);
    saving &&= response.resumeAt !== undefined;
    if (saving && response.resumeAt) {
      await checkpoints.save({ at: response.resumeAt, pages, records, boundFrom: stop ? response.page : boundFrom });
      savedPage = response.page;
    }
    if (stop) throw stop({ where, next: response.next, service: task.service, runId: task.runId, savedPage, saving });
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

/** The ids of the pages a saved walk landed, so the resumed walk still finds an id seen twice in the slice. */
async function idsLanded(
  saved: SavedWalk,
  landed: ReadonlyMap<number, string>,
  deps: HandlerDeps,
  idField: string,
  at: { where: string; removeHint: string; context: { runId: string } },
): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let page = 1; page <= saved.pages; page++) {
    const key = landed.get(page);
    const record = key === undefined ? undefined : await readPageRecord(deps.sink, key);
    if (!record) {
      throw new PermanentError(
        `${at.where}: the walk checkpoint says page ${page} landed, but its page record is missing. ${at.removeHint}`,
        at.context,
      );
    }
    for (const id of await landedPageIds(deps.sink, record, idField)) ids.add(id);
  }
  return ids;
}
