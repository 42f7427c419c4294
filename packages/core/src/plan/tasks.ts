import { PermanentError, type PageTask, type Sink, type SliceTask, type Task } from '@rdc/contracts';
import { cachedManifest, planKind, type RunManifest } from './manifest.js';
import {
  compactDeadLetterKey,
  deadLetterKey,
  type DeliveryTag,
  parseRunId,
  slicePageDeadLetterKey,
} from '../bucket-layout.js';
import { splitWindow } from './slicing.js';

function common(manifest: RunManifest) {
  return {
    v: 1 as const,
    runId: manifest.runId,
    service: manifest.service,
    endpoint: manifest.endpoint,
    window: manifest.window,
    pageSize: manifest.pageSize,
  };
}

/**
 * Page tasks for the run's page numbers. In a window split under an offset
 * cap, page numbers run across the slices in time order; each task carries its
 * slice and the slice's own page number, pages and total.
 */
export function* pageTasks(manifest: RunManifest, pages: Iterable<number>): Generator<PageTask> {
  const slices = manifest.slices;
  const offsets: number[] = [];
  let sum = 0;
  for (const s of slices ?? []) {
    offsets.push(sum);
    sum += s.pages;
  }
  for (const page of pages) {
    if (!slices) {
      // A plain literal: this loop runs once per page of a 100k-page plan.
      yield {
        v: 1,
        runId: manifest.runId,
        service: manifest.service,
        endpoint: manifest.endpoint,
        window: manifest.window,
        pageSize: manifest.pageSize,
        kind: 'page',
        page,
        pages: manifest.pages,
        total: manifest.total,
      };
      continue;
    }
    const i = slices.findIndex((s, n) => page > (offsets[n] ?? 0) && page <= (offsets[n] ?? 0) + s.pages);
    const slice = slices[i];
    if (!slice) throw new RangeError(`Page ${page} is outside run ${manifest.runId}'s ${manifest.pages} pages`);
    yield {
      ...common(manifest),
      kind: 'page',
      page: page - (offsets[i] ?? 0),
      pages: slice.pages,
      total: slice.total,
      slice: { start: slice.start, end: slice.end },
    };
  }
}

/** Slice tasks for the run's slice numbers (1-based) of a cursor-paginated endpoint. */
export function* sliceTasks(manifest: RunManifest, numbers: Iterable<number>): Generator<SliceTask> {
  const window = { start: new Date(manifest.window.start), end: new Date(manifest.window.end) };
  const all = splitWindow(window, manifest.sliceMs ?? window.end.getTime() - window.start.getTime());
  for (const n of numbers) {
    const slice = all[n - 1];
    if (!slice) throw new RangeError(`Slice ${n} is outside run ${manifest.runId}'s ${all.length} slices`);
    yield {
      ...common(manifest),
      kind: 'slice',
      sliceIndex: n,
      slices: all.length,
      slice: { start: slice.start.toISOString(), end: slice.end.toISOString() },
    };
  }
}

/** The tasks of a run for the given page or slice numbers. */
export function tasksFor(manifest: RunManifest, numbers: Iterable<number>): Iterable<Task> {
  return planKind(manifest) === 'slices' ? sliceTasks(manifest, numbers) : pageTasks(manifest, numbers);
}

type SlicedTask = SliceTask | (PageTask & { slice: NonNullable<PageTask['slice']> });

const sameInstant = (a: string, b: string): boolean => Date.parse(a) === Date.parse(b);

/** The 1-based slice number of `task` in `manifest`, or undefined when the plan has no such slice. */
function findSlice(task: SlicedTask, manifest: RunManifest): number | undefined {
  if (task.kind === 'slice') {
    if (planKind(manifest) !== 'slices' || manifest.sliceMs === undefined || manifest.sliceCount !== task.slices) {
      return undefined;
    }
    const window = { start: new Date(manifest.window.start), end: new Date(manifest.window.end) };
    const planned = splitWindow(window, manifest.sliceMs)[task.sliceIndex - 1];
    const matches =
      planned !== undefined &&
      planned.start.getTime() === Date.parse(task.slice.start) &&
      planned.end.getTime() === Date.parse(task.slice.end);
    return matches ? task.sliceIndex : undefined;
  }
  const index = (manifest.slices ?? []).findIndex(
    (s) =>
      sameInstant(s.start, task.slice.start) &&
      sameInstant(s.end, task.slice.end) &&
      s.total === task.total &&
      s.pages === task.pages,
  );
  return index === -1 ? undefined : index + 1;
}

/**
 * Finds a sliced task's slice in its run's manifest: the slice number names its
 * objects, and a task whose slice, counts or index the plan does not hold is
 * refused, so no message can write a slice under another slice's name.
 */
export async function sliceNumberOf(task: SlicedTask, sink: Sink): Promise<number> {
  const run = parseRunId(task.runId);
  for (const fresh of [false, true]) {
    const manifest = await cachedManifest(sink, run, fresh);
    if (!manifest) {
      throw new PermanentError(
        `Run ${task.runId} has no manifest in ${sink.url}, so its ${task.kind === 'slice' ? 'slice' : 'sliced page'} task cannot be placed. Re-run the planner for the window.`,
        { runId: task.runId },
      );
    }
    const found = findSlice(task, manifest);
    if (found !== undefined) return found;
  }
  const label =
    task.kind === 'slice'
      ? `slice ${task.sliceIndex}/${task.slices}`
      : `page ${task.page}/${task.pages} (${task.total} records)`;
  throw new PermanentError(
    `Task ${label} of run ${task.runId} names the time slice [${task.slice.start}, ${task.slice.end}), which the run's manifest does not plan. The message is stale or forged.`,
    { runId: task.runId },
  );
}

/**
 * Where the dead-letter record of `task` goes: `page-NNNNNN.json`,
 * `slice-NNNNNN.json`, or `page-sNNNNNN-NNNNNN.json` for a page of a split
 * window (its slice number comes from the manifest). Undefined when the task's
 * slice is not in the plan.
 */
export async function deadLetterKeyFor(task: Task, sink: Sink, tag?: DeliveryTag): Promise<string | undefined> {
  if (task.kind === 'slice') return deadLetterKey(task, task.sliceIndex, 'slice', tag);
  if (task.kind === 'compact') return compactDeadLetterKey(task, task.dt, tag);
  if (!task.slice) return deadLetterKey(task, task.page, 'page', tag);
  const slice = task.slice;
  const index = await sliceNumberOf({ ...task, slice }, sink).catch((error: unknown) => {
    if (error instanceof PermanentError) return undefined;
    throw error;
  });
  return index === undefined ? undefined : slicePageDeadLetterKey(task, index, task.page, tag);
}
