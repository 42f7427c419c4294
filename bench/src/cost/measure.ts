import { defaultConfigDir, encodeTask, loadServices, silentLog, taskAttributes } from '@rdc/contracts';
import type { PutOptions, PutResult, Sink, Task, TaskPublisher } from '@rdc/contracts';
import { createTaskCaches, finalizeRun, handleTask, planRun, type RunManifest } from '@rdc/core';
import { createMockApi } from '@rdc/mock-server';
import { createSourceRegistry } from '@rdc/source';

/** Cloud Storage bills by operation class: A writes and lists, B reads; deletes are free. */
export interface StorageOps {
  classA: number;
  classB: number;
  /** Bytes of objects written (data and bookkeeping). */
  bytesWritten: number;
  /** Requests sent to the API (planning and pages). */
  apiRequests: number;
}

/** What landing pages costs in operations, measured on the real code paths. */
export interface OpsProfile {
  /** Records an hour of the measured data, and records per page. */
  recordsPerHour: number;
  pageSize: number;
  /** Hourly runs, each page followed by the worker's completion check (runs of up to 1,000 pages). */
  hourly: StorageOps & { pages: number; runs: number };
  /** One run of the same records, checked and sealed once at its end (a large backfill run). */
  backfill: StorageOps & { pages: number; runs: number };
  /** Bytes of one page task message and its attributes. */
  taskBytes: number;
  attributeBytes: number;
}

/** A list call returns at most 1,000 names: each 1,000 (or fewer) is one Class A operation. */
const LIST_PAGE = 1000;

/** An in-memory sink that counts what each call would cost on Cloud Storage. */
class CountingSink implements Sink {
  readonly url = 'mem://cost-model';
  readonly objects = new Map<string, Buffer>();
  ops: StorageOps = { classA: 0, classB: 0, bytesWritten: 0, apiRequests: 0 };

  putIfAbsent(key: string, body: Uint8Array, _options?: PutOptions): Promise<PutResult> {
    this.ops.classA++;
    if (this.objects.has(key)) return Promise.resolve('exists');
    this.objects.set(key, Buffer.from(body));
    this.ops.bytesWritten += body.byteLength;
    return Promise.resolve('created');
  }
  put(key: string, body: Uint8Array): Promise<void> {
    this.ops.classA++;
    this.objects.set(key, Buffer.from(body));
    this.ops.bytesWritten += body.byteLength;
    return Promise.resolve();
  }
  get(key: string): Promise<Buffer | undefined> {
    this.ops.classB++;
    return Promise.resolve(this.objects.get(key));
  }
  exists(key: string): Promise<boolean> {
    this.ops.classB++;
    return Promise.resolve(this.objects.has(key));
  }
  list(prefix: string): Promise<string[]> {
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    this.ops.classA += Math.max(1, Math.ceil(keys.length / LIST_PAGE));
    return Promise.resolve(keys);
  }
  delete(key: string): Promise<void> {
    this.objects.delete(key);
    return Promise.resolve();
  }
}

class Collect implements TaskPublisher {
  tasks: Task[] = [];
  publish(task: Task): Promise<void> {
    this.tasks.push(task);
    return Promise.resolve();
  }
  flush = (): Promise<void> => Promise.resolve();
  close = (): Promise<void> => Promise.resolve();
}

const HOUR = 3_600_000;
const START = Date.UTC(2025, 0, 6);

/**
 * Lands `hours` hours of retail sales at `recordsPerHour` from the bundled mock
 * API through the planner's and the worker's code (planRun, handleTask,
 * finalizeRun) into a counting sink, twice: as hourly runs checked after every
 * page, as the worker checks runs of up to 1,000 pages, and as one run sealed
 * once, as a large backfill run is. Deterministic: the mock's data is seeded.
 */
export async function measureOps(recordsPerHour = 6000, hours = 2): Promise<OpsProfile> {
  const api = await createMockApi({
    sales: recordsPerHour * hours,
    dataStart: new Date(START),
    dataEnd: new Date(START + hours * HOUR),
  });
  const catalog = loadServices(defaultConfigDir());
  const sources = createSourceRegistry(catalog, {
    env: { RETAIL_API_BASE_URL: api.url },
    log: silentLog,
    only: 'retail',
  });
  const now = new Date(START + 30 * 24 * HOUR);
  const deps = { catalog, sourceFor: (s: string) => sources.sourceFor(s), log: silentLog };
  try {
    const plan = async (sink: CountingSink, start: number, end: number) => {
      const publisher = new Collect();
      const result = await planRun(
        {
          service: 'retail',
          endpoint: 'sales',
          start: new Date(start),
          end: new Date(end),
          now,
          endGranularityMs: HOUR,
        },
        { catalog, source: sources.sourceFor('retail'), sink, publisher, log: silentLog },
      );
      return { manifest: result.manifest, tasks: publisher.tasks };
    };
    const work = async (sink: CountingSink, manifest: RunManifest, tasks: Task[], checkEachPage: boolean) => {
      // A worker keeps the run's manifest and encoding between pages, as its task processor does.
      const caches = createTaskCaches(sink);
      for (const task of tasks) {
        await handleTask(task, { ...deps, sink, caches });
        if (checkEachPage) await finalizeRun(sink, manifest, now);
      }
      if (!checkEachPage) await finalizeRun(sink, manifest, now);
    };

    const stats = sources.sourceFor('retail').stats;
    const hourlySink = new CountingSink();
    let hourlyPages = 0;
    for (let h = 0; h < hours; h++) {
      const { manifest, tasks } = await plan(hourlySink, START + h * HOUR, START + (h + 1) * HOUR);
      await work(hourlySink, manifest, tasks, true);
      hourlyPages += tasks.length;
    }
    hourlySink.ops.apiRequests = stats.requests;

    const backfillSink = new CountingSink();
    const { manifest, tasks } = await plan(backfillSink, START, START + hours * HOUR);
    await work(backfillSink, manifest, tasks, false);
    backfillSink.ops.apiRequests = stats.requests - hourlySink.ops.apiRequests;

    const sample = tasks[0]!;
    const attributes = taskAttributes(sample);
    return {
      recordsPerHour,
      pageSize: manifest.pageSize,
      hourly: { ...hourlySink.ops, pages: hourlyPages, runs: hours },
      backfill: { ...backfillSink.ops, pages: tasks.length, runs: 1 },
      taskBytes: encodeTask(sample).byteLength,
      attributeBytes: Object.entries(attributes).reduce((n, [k, v]) => n + k.length + v.length, 0),
    };
  } finally {
    sources.close();
    await api.close();
  }
}
