import { PermanentError, type SliceTask } from '@rdc/contracts';
import { runPrefix, SLICE_PAGE_FILE, sliceMarkerKey, slicePageKey, slicePagePrefix } from '../bucket-layout.js';
import { authorizeTask, runOf, toWindow, type HandlerDeps, type TaskResult } from './authorize.js';
import { landedIds, writePage } from './write-page.js';
import { sliceNumberOf } from '../plan/tasks.js';
import { checkRecords } from './validate-page.js';

/** What `_slice-NNNNNN.json` holds: the walk reached the end of the slice. */
export interface SliceMarker {
  v: 1;
  runId: string;
  slice: number;
  window: { start: string; end: string };
  pages: number;
  records: number;
  completedAt: string;
}

const sameIds = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((id, i) => id === b[i]);

/**
 * Follows the cursor through one time slice of a cursor-paginated endpoint.
 * Each page is checked (schema, inside the slice, no id twice in the walk) and
 * written as it comes to `page-s<slice>-<page>.ndjson`; when the walk ends
 * (empty page, no next link or cursor, `has_more: false`) the slice's marker
 * `_slice-<slice>.json` records its pages and records.
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
  const prefix = runPrefix(run);
  const landed = new Map<number, string>();
  for (const key of await deps.sink.list(slicePagePrefix(run, slice))) {
    const match = SLICE_PAGE_FILE.exec(key.slice(prefix.length));
    if (match) landed.set(Number(match[2]), key);
  }

  const seen = new Set<unknown>();
  let pages = 0;
  let records = 0;
  for await (const page of deps
    .sourceFor(task.service)
    .walkCursor(task.endpoint, toWindow(task.slice), task.pageSize)) {
    pages = page.page;
    records += page.records.length;
    checkRecords(page.records, endpoint, { bounds: task.slice, where: `${where} page ${page.page}`, context, seen });
    const existing = landed.get(page.page);
    const before = existing ? await landedIds(deps.sink, existing, endpoint.idField) : undefined;
    if (before) {
      const now = page.records.map((r) => String(r[endpoint.idField]));
      if (!sameIds(before, now)) {
        throw new PermanentError(
          `${where}: page ${page.page} landed earlier with ${before.length} records, but the API now serves ${now.length} different ones there. ` +
            `The slice's data changed between attempts, so its pages would overlap or miss rows. Remove ${slicePagePrefix(run, slice)}* and resume the run to read the slice again.`,
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
    await writePage(deps, slicePageKey(run, slice, page.page, deps.gzip), page.records, metadata);
  }

  const extra = [...landed.keys()].filter((p) => p > pages);
  if (extra.length > 0) {
    throw new PermanentError(
      `${where}: the walk ended after ${pages} page(s), but page(s) ${extra.join(', ')} landed on an earlier attempt. ` +
        `The slice's data changed between attempts. Remove ${slicePagePrefix(run, slice)}* and resume the run to read the slice again.`,
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
  return { outcome: outcome === 'created' ? 'landed' : 'already-landed', key: marker, records };
}
