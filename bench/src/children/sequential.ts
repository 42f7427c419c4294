/**
 * S1 (a), the sequential baseline: what the original connector did. Plans the same
 * run as the fan-out, then fetches, validates and writes its first `pages` pages one
 * after another with the same source, page handler and folder sink.
 *
 * argv[2]: JSON { apiBaseUrl, sink, start, end, pages }. Prints one JSON line.
 */
import { loadServices, silentLog, type Task, type TaskPublisher } from '@rdc/contracts';
import { createTaskCaches, handleTask, planRun } from '@rdc/core';
import { FileSink } from '@rdc/sinks';
import { createSourceRegistry } from '@rdc/source';

interface Args {
  apiBaseUrl: string;
  sink: string;
  start: string;
  end: string;
  pages: number;
}

async function run(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as Args;
  const catalog = loadServices();
  const sources = createSourceRegistry(catalog, { env: { API_BASE_URL: args.apiBaseUrl } });
  const sink = new FileSink(args.sink);
  const tasks: Task[] = [];
  const collect: TaskPublisher = {
    publish: (task) => {
      tasks.push(task);
      return Promise.resolve();
    },
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  try {
    await planRun(
      {
        service: 'retail',
        endpoint: 'sales',
        start: new Date(args.start),
        end: new Date(args.end),
        now: new Date(),
        endGranularityMs: 3_600_000,
      },
      { catalog, source: sources.sourceFor('retail'), sink, publisher: collect, log: silentLog },
    );
    let records = 0;
    const caches = createTaskCaches(sink);
    const deps = { catalog, sourceFor: (s: string) => sources.sourceFor(s), sink, log: silentLog, caches };
    for (const task of tasks.slice(0, args.pages)) records += (await handleTask(task, deps)).records;
    const stats = sources.sourceFor('retail').stats;
    process.stdout.write(`${JSON.stringify({ pages: Math.min(args.pages, tasks.length), records, stats })}\n`);
  } finally {
    sources.close();
  }
}

run().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
