import { PermanentError, type PageTask, type Sink, type SliceTask, type Task } from '@rdc/contracts';
import { cachedManifest, planKind, type RunManifest } from './manifest.js';
import { deadLetterKey, parseRunId, slicePageDeadLetterKey } from './naming.js';
import { splitWindow } from './slices.js';

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
export async function deadLetterKeyFor(task: Task, sink: Sink): Promise<string | undefined> {
  if (task.kind === 'slice') return deadLetterKey(task, task.sliceIndex, 'slice');
  if (!task.slice) return deadLetterKey(task, task.page);
  const slice = task.slice;
  const index = await sliceNumberOf({ ...task, slice }, sink).catch((error: unknown) => {
    if (error instanceof PermanentError) return undefined;
    throw error;
  });
  return index === undefined ? undefined : slicePageDeadLetterKey(task, index, task.page);
}
