import { PermanentError, type PageTask, type SliceTask, type Task } from '@rdc/contracts';
import {
  compactDeadLetterKey,
  deadLetterKey,
  type DeliveryTag,
  parseRunId,
  slicePageDeadLetterKey,
} from '../bucket-layout.js';
import { planKind, type ManifestCache, type RunManifest } from '../state/manifest.js';
import { splitWindow } from '../plan/slicing.js';

// Where a task sits in its run's plan: the slice number that names a sliced
// task's objects, and the dead-letter record of a task. Both read the run's
// manifest, so a task the plan does not hold names nothing.

const sameInstant = (a: string, b: string): boolean => Date.parse(a) === Date.parse(b);

type SlicedTask = SliceTask | (PageTask & { slice: NonNullable<PageTask['slice']> });

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
export async function sliceNumberOf(task: SlicedTask, manifests: ManifestCache): Promise<number> {
  const run = parseRunId(task.runId);
  for (const fresh of [false, true]) {
    const manifest = await manifests.get(run, fresh);
    if (!manifest) {
      throw new PermanentError(
        `Run ${task.runId} has no manifest in ${manifests.sink.url}, so its ${task.kind === 'slice' ? 'slice' : 'sliced page'} task cannot be placed. Re-run the planner for the window.`,
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
export async function deadLetterKeyFor(
  task: Task,
  manifests: ManifestCache,
  tag?: DeliveryTag,
): Promise<string | undefined> {
  if (task.kind === 'slice') return deadLetterKey(task, task.sliceIndex, 'slice', tag);
  if (task.kind === 'compact') return compactDeadLetterKey(task, task.dt, tag);
  if (!task.slice) return deadLetterKey(task, task.page, 'page', tag);
  const slice = task.slice;
  const index = await sliceNumberOf({ ...task, slice }, manifests).catch((error: unknown) => {
    if (error instanceof PermanentError) return undefined;
    throw error;
  });
  return index === undefined ? undefined : slicePageDeadLetterKey(task, index, task.page, tag);
}
