import { timestampReader, type EndpointConfig, type PageTask } from '@rdc/contracts';
import { pageRecordKey, pageStem, slicePageStem } from '../bucket-layout.js';
import { allowListedEndpoint } from './allow-list.js';
import { createTaskCaches, runOf, toWindow, type HandlerDeps, type TaskResult } from './handler-deps.js';
import { landedByAnother, landPage, unnamedPartsError } from './land-page.js';
import { sliceNumberOf } from './slice-number.js';
import { validatePage } from './validate-page.js';
import { countDrift } from '../state/drift.js';

/**
 * Fetches, validates and lands one page (one part per UTC date of its records,
 * then its page record). Safe to call again for the same page.
 * A page of a window split under an offset cap is fetched within its slice and
 * named after the slice's number in the run's manifest.
 * `endpoint`: the task's allow-listed endpoint, when the caller looked it up.
 */
export async function handlePageTask(
  task: PageTask,
  deps: HandlerDeps,
  endpoint: EndpointConfig = allowListedEndpoint(task, deps.catalog),
): Promise<TaskResult> {
  const caches = deps.caches ?? createTaskCaches(deps.sink);
  const run = runOf(task);
  const slice = task.slice;
  const sliceNumber = slice ? await sliceNumberOf({ ...task, slice }, caches.manifests) : undefined;
  const stem = sliceNumber === undefined ? pageStem(task.page) : slicePageStem(sliceNumber, task.page);
  const key = pageRecordKey(run, stem);
  // A redelivery of a page that landed (in either encoding) costs one metadata read, not an API call.
  if (await deps.sink.exists(key)) return { outcome: 'already-landed', key, records: 0 };

  const result = await deps.sourceFor(task.service).fetchPage({
    endpoint: task.endpoint,
    window: slice ? toWindow(slice) : run.window,
    page: task.page,
    pageSize: task.pageSize,
    runId: task.runId,
  });
  validatePage(task, endpoint, result, caches.schemas);

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
  const where = `run ${task.runId} page ${task.page}/${task.pages}`;
  const context = { runId: task.runId, page: task.page };
  const { outcome, record } = await landPage(
    { ...deps, caches },
    {
      run,
      stem,
      records: result.records,
      timestampField: endpoint.timestampField,
      readTime: timestampReader(endpoint),
      idField: endpoint.idField,
      metadata,
      drift: countDrift(result.records, endpoint.schema, caches.schemas.for(endpoint).tree),
      where,
      context,
    },
  );
  if (outcome === 'exists') {
    // Another delivery landed the page meanwhile: the parts this one wrote must be ones its record names.
    const { stored, unnamed } = await landedByAnother(deps.sink, { run, stem, where, context }, record);
    if (unnamed.length > 0) {
      const remedy = `Remove ${unnamed.join(', ')} and resume the run (npm start -- --resume ${task.runId}).`;
      throw unnamedPartsError({ where, context }, stored, unnamed, remedy);
    }
  }
  // Records another writer landed first are not this call's: the run summary counts what this process landed.
  const landed = outcome === 'created';
  return { outcome: landed ? 'landed' : 'already-landed', key, records: landed ? result.records.length : 0 };
}
