/**
 * S1 (a), the sequential baseline: what the original connector did. Plans the same
 * run as the fan-out, then fetches, validates and writes its first `pages` pages one
 * after another with the same source, page handler and folder sink.
 *
 * argv[2]: JSON { apiBaseUrl, sink, start, end, pages }. Prints one JSON line.
 */
import { loadServices, silentLog } from '@rdc/contracts';
import { createTaskCaches, handleTask } from '@rdc/core';
import { FileSink } from '@rdc/sinks';
import { createSourceRegistry } from '@rdc/source';
import { planTasks } from '../support/plan-tasks.js';

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
  try {
    const tasks = await planTasks(args, { catalog, sources, sink });
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
