import type { PageTask, SliceTask, Task } from '@rdc/contracts';
import { planKind, type RunManifest } from '../state/manifest.js';
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
