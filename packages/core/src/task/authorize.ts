import {
  ownValue,
  PermanentError,
  type EndpointConfig,
  type Log,
  type ServiceCatalog,
  type Sink,
  type Source,
  type Task,
  type Window,
} from '@rdc/contracts';
import { makeRunId, type RunIdentity } from '../bucket-layout.js';

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
}

export interface TaskResult {
  /** `landed`: this call wrote it; `already-landed`: an earlier delivery did. */
  outcome: 'landed' | 'already-landed';
  /** The page, or for a slice its completion marker. */
  key: string;
  /** Records this call landed: 0 when the work was already done, or another writer landed it first. */
  records: number;
}

/**
 * Checks a task against the allow-listed config: the service and endpoint
 * exist, and the run id is the one its service, endpoint and window imply.
 * No message can steer a write outside its run's prefix.
 */
export function authorizeTask(task: Task, catalog: ServiceCatalog): EndpointConfig {
  const service = catalog.services.get(task.service);
  const endpoint = service && ownValue(service.endpoints, task.endpoint);
  if (!endpoint) {
    throw new PermanentError(
      `Task names ${task.service}/${task.endpoint}, which the worker's config does not define. Valid services: ${[...catalog.services.keys()].join(', ')}.`,
      { runId: task.runId },
    );
  }
  const window = { start: new Date(task.window.start), end: new Date(task.window.end) };
  const expected = makeRunId(task.service, task.endpoint, window);
  if (task.runId !== expected) {
    throw new PermanentError(
      `Task run id ${task.runId} does not match its service, endpoint and window (${expected}).`,
    );
  }
  if (task.kind === 'compact') {
    const day = Date.parse(`${task.dt}T00:00:00Z`);
    if (day + 86_400_000 <= window.start.getTime() || day >= window.end.getTime()) {
      throw new PermanentError(
        `Compaction task dt=${task.dt} is not a date of its run's window [${task.window.start}, ${task.window.end}).`,
        {
          runId: task.runId,
        },
      );
    }
  } else if (task.slice) {
    const start = Date.parse(task.slice.start);
    const end = Date.parse(task.slice.end);
    if (start < window.start.getTime() || end > window.end.getTime()) {
      throw new PermanentError(
        `Task slice [${task.slice.start}, ${task.slice.end}) is not inside its run's window [${task.window.start}, ${task.window.end}).`,
        { runId: task.runId },
      );
    }
  }
  return endpoint;
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
