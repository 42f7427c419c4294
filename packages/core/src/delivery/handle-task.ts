import type { EndpointConfig, Task } from '@rdc/contracts';
import { handleCompactTask } from '../compact/handle-compact.js';
import { handlePageTask } from '../task/handle-page.js';
import { handleSliceTask } from '../task/handle-slice.js';
import type { HandlerDeps, TaskResult } from '../task/handler-deps.js';

/**
 * Handles a task of any kind: a page, a cursor slice, or the compaction of a
 * sealed run's partition. `endpoint`: the task's allow-listed endpoint, when the
 * caller looked it up (the task processor does, once per delivery).
 */
export function handleTask(task: Task, deps: HandlerDeps, endpoint?: EndpointConfig): Promise<TaskResult> {
  if (task.kind === 'compact') return handleCompactTask(task, deps, endpoint);
  return task.kind === 'page' ? handlePageTask(task, deps, endpoint) : handleSliceTask(task, deps, endpoint);
}
