import { gzipSync } from 'node:zlib';
import {
  PermanentError,
  type EndpointConfig,
  type Log,
  type PageTask,
  type ServiceCatalog,
  type Sink,
  type Source,
  type Task,
} from '@rdc/contracts';
import { makeRunId, pageKey } from './naming.js';
import { validatePage } from './validate-page.js';

export interface HandlerDeps {
  catalog: ServiceCatalog;
  /** The API client of a service (one per service, shared by every worker of the process). */
  sourceFor(service: string): Source;
  sink: Sink;
  /** gzip each page (`Content-Encoding: gzip`, `.ndjson.gz`). @default false */
  gzip?: boolean;
  log: Log;
}

export interface TaskResult {
  /** `landed`: this call wrote it; `already-landed`: an earlier delivery did. */
  outcome: 'landed' | 'already-landed';
  key: string;
  records: number;
}

/**
 * Checks a task against the allow-listed config: the service and endpoint
 * exist, and the run id is the one its service, endpoint and window imply.
 * No message can steer a write outside its run's prefix.
 */
export function authorizeTask(task: Task, catalog: ServiceCatalog): EndpointConfig {
  const service = catalog.services.get(task.service);
  const endpoint = service?.endpoints[task.endpoint];
  if (!endpoint) {
    throw new PermanentError(
      `Task names ${task.service}/${task.endpoint}, which the worker's config does not define. Valid services: ${[...catalog.services.keys()].join(', ')}.`,
      { runId: task.runId },
    );
  }
  const window = { start: new Date(task.window.start), end: new Date(task.window.end) };
  const expected = makeRunId(task.service, task.endpoint, window);
  if (task.runId !== expected) {
    throw new PermanentError(`Task run id ${task.runId} does not match its service, endpoint and window (${expected}).`);
  }
  return endpoint;
}

export function toNdjson(records: readonly unknown[]): Buffer {
  return Buffer.from(records.map((r) => `${JSON.stringify(r)}\n`).join(''), 'utf8');
}

/** Fetches, validates and lands one page. Safe to call again for the same page. */
export async function handlePageTask(task: PageTask, deps: HandlerDeps): Promise<TaskResult> {
  const endpoint = authorizeTask(task, deps.catalog);
  const run = { ...task, window: { start: new Date(task.window.start), end: new Date(task.window.end) } };
  const key = pageKey(run, task.page, deps.gzip);
  // A redelivery of a page that landed costs one metadata read, not an API call.
  if (await deps.sink.exists(key)) return { outcome: 'already-landed', key, records: 0 };

  const result = await deps.sourceFor(task.service).fetchPage({
    endpoint: task.endpoint,
    window: run.window,
    page: task.page,
    pageSize: task.pageSize,
    runId: task.runId,
  });
  validatePage(task, endpoint, result);

  const ndjson = toNdjson(result.records);
  const body = deps.gzip ? gzipSync(ndjson) : ndjson;
  const metadata: Record<string, string> = {
    runId: task.runId,
    page: String(task.page),
    pages: String(task.pages),
    records: String(result.records.length),
    windowStart: task.window.start,
    windowEnd: task.window.end,
  };
  if (result.requestId) metadata.apiRequestId = result.requestId;
  const outcome = await deps.sink.putIfAbsent(key, body, {
    contentType: 'application/x-ndjson',
    ...(deps.gzip ? { contentEncoding: 'gzip' as const } : {}),
    metadata,
  });
  return { outcome: outcome === 'created' ? 'landed' : 'already-landed', key, records: result.records.length };
}

/** Entry point for any task kind. */
export async function handleTask(task: Task, deps: HandlerDeps): Promise<TaskResult> {
  if (task.kind === 'page') return handlePageTask(task, deps);
  throw new PermanentError(`Task kind "${task.kind}" is not supported by this worker yet.`, { runId: task.runId });
}
