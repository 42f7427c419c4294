import { silentLog, type ServiceCatalog, type Sink, type Task, type TaskPublisher } from '@rdc/contracts';
import { planRun } from '@rdc/core';
import type { SourceRegistry } from '@rdc/source';

/**
 * Plans retail/sales over [start, end) with the real planner (its manifest lands
 * in `sink`) and returns the run's tasks instead of publishing them: the first
 * step of the bench children that then hand the tasks out themselves.
 */
export async function planTasks(
  window: { start: string; end: string },
  deps: { catalog: ServiceCatalog; sources: SourceRegistry; sink: Sink },
): Promise<Task[]> {
  const tasks: Task[] = [];
  const collect: TaskPublisher = {
    publish: (task) => {
      tasks.push(task);
      return Promise.resolve();
    },
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  await planRun(
    {
      service: 'retail',
      endpoint: 'sales',
      start: new Date(window.start),
      end: new Date(window.end),
      now: new Date(),
      endGranularityMs: 3_600_000,
    },
    {
      catalog: deps.catalog,
      source: deps.sources.sourceFor('retail'),
      sink: deps.sink,
      publisher: collect,
      log: silentLog,
    },
  );
  return tasks;
}
