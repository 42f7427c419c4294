import { type PageTask, type Task } from '@rdc/contracts';
import { handleSliceTask } from './handle-slice.js';
import { pageKey, slicePageKey } from '../bucket-layout.js';
import { authorizeTask, runOf, toWindow, type HandlerDeps, type TaskResult } from './authorize.js';
import { writePage } from './write-page.js';
import { sliceNumberOf } from '../plan/tasks.js';
import { validatePage } from './validate-page.js';

/**
 * Fetches, validates and lands one page. Safe to call again for the same page.
 * A page of a window split under an offset cap is fetched within its slice and
 * named after the slice's number in the run's manifest.
 */
export async function handlePageTask(task: PageTask, deps: HandlerDeps): Promise<TaskResult> {
  const endpoint = authorizeTask(task, deps.catalog);
  const run = runOf(task);
  const slice = task.slice;
  const sliceNumber = slice ? await sliceNumberOf({ ...task, slice }, deps.sink) : undefined;
  const keyFor = (gzip: boolean | undefined) =>
    sliceNumber === undefined ? pageKey(run, task.page, gzip) : slicePageKey(run, sliceNumber, task.page, gzip);
  const key = keyFor(deps.gzip);
  // A redelivery of a page that landed costs one metadata read, not an API call.
  if (await deps.sink.exists(key)) return { outcome: 'already-landed', key, records: 0 };
  // Landed by a worker with the other gzip setting (a rollout, a local --resume): still landed.
  const other = keyFor(!deps.gzip);
  if (await deps.sink.exists(other)) return { outcome: 'already-landed', key: other, records: 0 };

  const result = await deps.sourceFor(task.service).fetchPage({
    endpoint: task.endpoint,
    window: slice ? toWindow(slice) : run.window,
    page: task.page,
    pageSize: task.pageSize,
    runId: task.runId,
  });
  validatePage(task, endpoint, result);

  const metadata: Record<string, string> = {
    runId: task.runId,
    page: String(task.page),
    pages: String(task.pages),
    records: String(result.records.length),
    windowStart: task.window.start,
    windowEnd: task.window.end,
  };
  if (slice && sliceNumber !== undefined) {
    Object.assign(metadata, { slice: String(sliceNumber), sliceStart: slice.start, sliceEnd: slice.end });
  }
  if (result.requestId) metadata.apiRequestId = result.requestId;
  const outcome = await writePage(deps, key, result.records, metadata);
  return { outcome: outcome === 'created' ? 'landed' : 'already-landed', key, records: result.records.length };
}

/** Entry point for any task kind. */
export function handleTask(task: Task, deps: HandlerDeps): Promise<TaskResult> {
  return task.kind === 'page' ? handlePageTask(task, deps) : handleSliceTask(task, deps);
}
