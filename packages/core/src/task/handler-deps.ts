import type { Log, ServiceCatalog, Sink, Source, Task, Window } from '@rdc/contracts';
import type { RunIdentity } from '../bucket-layout.js';
import { EncodingCache } from '../state/encoding.js';
import { ManifestCache } from '../state/manifest.js';
import { SchemaCache } from './validate-page.js';

/**
 * What the task stage keeps between deliveries: each run's manifest and claimed
 * encoding (both write-once in the sink), and each endpoint's compiled schema. One set per sink, owned by the task processor (`processor.caches`).
 */
export interface TaskCaches {
  manifests: ManifestCache;
  encodings: EncodingCache;
  schemas: SchemaCache;
}

export function createTaskCaches(sink: Sink): TaskCaches {
  return { manifests: new ManifestCache(sink), encodings: new EncodingCache(), schemas: new SchemaCache() };
}

export interface HandlerDeps {
  catalog: ServiceCatalog;
  /** The API client of a service (one per service, shared by every worker of the process). */
  sourceFor(service: string): Source;
  sink: Sink;
  /** gzip each page (`Content-Encoding: gzip`, `.ndjson.gz`). @default false */
  gzip?: boolean;
  log: Log;
  /** Milliseconds since the epoch; bounds a slice's walk in time. @default Date.now */
  now?: () => number;
  /** What is kept between tasks of this sink. @default a fresh set for each task */
  caches?: TaskCaches;
}

export interface TaskResult {
  /** `landed`: this call wrote it; `already-landed`: an earlier delivery did. */
  outcome: 'landed' | 'already-landed';
  /** The page, or for a slice its completion marker. */
  key: string;
  /** Records this call landed: 0 when the work was already done, or another writer landed it first. */
  records: number;
}

/** The run of a task, with Date bounds. */
export function runOf(task: Task): RunIdentity {
  return {
    runId: task.runId,
    service: task.service,
    endpoint: task.endpoint,
    window: { start: new Date(task.window.start), end: new Date(task.window.end) },
  };
}

export const toWindow = (range: { start: string; end: string }): Window => ({
  start: new Date(range.start),
  end: new Date(range.end),
});
