import { PermanentError, type SliceTask, timestampReader } from '@rdc/contracts';
import {
  pageRecordsPrefix,
  SLICE_PAGE_RECORD_FILE,
  sliceMarkerKey,
  slicePageRecordPrefix,
  slicePageStem,
} from '../bucket-layout.js';
import { authorizeTask, runOf, toWindow, type HandlerDeps, type TaskResult } from './authorize.js';
import { landedPageIds, landPage, readPageRecord } from './land-page.js';
import { sliceNumberOf } from '../plan/tasks.js';
import { checkRecords } from './validate-page.js';
import { countDrift } from './drift.js';

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

const sameIds = (a: readonly string[], b: readonly string[]): boolean => {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((id, i) => id === y[i]);
};

/**
 * Follows the cursor through one time slice of a cursor-paginated endpoint.
 * Each page is checked (schema, inside the slice, no id twice in the walk) and
 * landed as it comes as `page-s<slice>-<page>` (one part per UTC date, then
 * its page record); when the walk ends (empty page, no next link or cursor,
 * `has_more: false`) the slice's marker `slices/slice-<slice>.json` records its
 * pages and records.
 *
 * A retried slice walks again from the start (a cursor cannot be resumed) but
 * writes only the pages that have not landed; a landed page must hold the ids
 * the API serves now, or the slice's data changed under it and it fails.
 */
export async function handleSliceTask(task: SliceTask, deps: HandlerDeps): Promise<TaskResult> {
  const endpoint = authorizeTask(task, deps.catalog);
  const run = runOf(task);
  const slice = await sliceNumberOf(task, deps.sink);
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

  const seen = new Set<unknown>();
  let pages = 0;
  let records = 0;
  /** Records whose pages this call wrote (not an earlier attempt, not another writer). */
  let landedHere = 0;
  for await (const page of deps
    .sourceFor(task.service)
    .walkCursor(task.endpoint, toWindow(task.slice), task.pageSize)) {
    pages = page.page;
    records += page.records.length;
    checkRecords(page.records, endpoint, { bounds: task.slice, where: `${where} page ${page.page}`, context, seen });
    const existing = landed.get(page.page);
    const record = existing ? await readPageRecord(deps.sink, existing) : undefined;
    const before = record ? await landedPageIds(deps.sink, record, endpoint.idField) : undefined;
    if (before) {
      const now = page.records.map((r) => String(r[endpoint.idField]));
      if (!sameIds(before, now)) {
        throw new PermanentError(
          `${where}: page ${page.page} landed earlier with ${before.length} records, but the API now serves ${now.length} different ones there. ` +
            `The slice's data changed between attempts, so its pages would overlap or miss rows. ${removeHint}`,
          context,
        );
      }
      continue;
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
    const landedPage = await landPage(deps, {
      run,
      stem: slicePageStem(slice, page.page),
      records: page.records,
      timestampField: endpoint.timestampField,
      readTime: timestampReader(endpoint),
      idField: endpoint.idField,
      metadata,
      drift: countDrift(page.records, endpoint.schema),
      where: `${where} page ${page.page}`,
      context,
    });
    if (landedPage.outcome === 'created') landedHere += page.records.length;
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
