import type { Task } from './task.js';

/* ---------------------------------- Sink ---------------------------------- */

export interface PutOptions {
  /** @default "application/x-ndjson" */
  contentType?: string;
  /** Set when the body is gzip-compressed. */
  contentEncoding?: 'gzip';
  /** Custom object metadata (string values only, no secrets). */
  metadata?: Record<string, string>;
}

/**
 * `created` when this call wrote the object (also when the write landed but its reply
 * was lost and a retry found it), `exists` when another call had written it.
 */
export type PutResult = 'created' | 'exists';

/**
 * Object storage rooted at a prefix (a local folder, or a GCS bucket + prefix).
 * Keys are relative, `/`-separated, and validated by the caller.
 */
export interface Sink {
  /** Where the objects go, for people: `file:///abs/data` or `gs://bucket/prefix`. */
  readonly url: string;
  /** Writes only if no object has the key yet; never overwrites. */
  putIfAbsent(key: string, body: Uint8Array, options?: PutOptions): Promise<PutResult>;
  /** Writes or replaces (state files only, never pages). */
  put(key: string, body: Uint8Array, options?: PutOptions): Promise<void>;
  /** The stored bytes (as stored: still gzip-compressed if they were), or undefined. */
  get(key: string): Promise<Buffer | undefined>;
  exists(key: string): Promise<boolean>;
  /** Keys under a prefix, in lexical order. */
  list(prefix: string): Promise<string[]>;
  /** Removes the object; a missing one is not an error. Only for retiring a run, never for pages in place. */
  delete(key: string): Promise<void>;
}

/* --------------------------------- Source --------------------------------- */

export interface Window {
  start: Date;
  end: Date;
}

export interface CountResult {
  /** Records in the window, when the API reports items. */
  total: number | undefined;
  /** Pages of `pageSize` in the window: ceil(total / pageSize), or the API's own page count. */
  pages: number;
}

export interface PageRequest {
  endpoint: string;
  window: Window;
  /** 1-based page number. */
  page: number;
  pageSize: number;
  runId?: string;
}

export interface PageResult {
  records: Record<string, unknown>[];
  /** The total the API reported with this page, when it reports one. */
  total: number | undefined;
  /** The API's request id, when it sends one. */
  requestId: string | undefined;
}

export interface CursorPage extends PageResult {
  /** 1-based page number inside the slice (every response counts, empty ones too). */
  page: number;
  /**
   * Where the walk goes after this page, for messages: the cursor value or the
   * next link (without secrets); undefined when this page ends the walk.
   */
  next: string | undefined;
  /** Where a later walk can resume after this page; undefined when this page ends the walk or its next request holds a credential. */
  resumeAt?: CursorPosition | undefined;
  /** True when the next request is one the walk sent before: the walk throws its loop error after this page. */
  loops?: boolean;
}

/** A point a cursor walk can continue from: after response `page`, the request it would send next. */
export interface CursorPosition {
  /** Responses the walk had taken: the page number of the last one. */
  page: number;
  /** The next request: a cursor value for the endpoint's cursor parameter, or the next link's path and query. Never a credential. */
  next: { kind: 'cursor' | 'url'; value: string };
  /** A digest of the next request's path and query: a walk that reaches one it reached before is looping. */
  key: string;
}

/** Continues a walk at `from`; `seen` holds the keys of every request the walk sent or was sent to before. */
export interface CursorResume {
  from: CursorPosition;
  seen: Iterable<string>;
}

/** The REST API, as the planner and the worker see it. */
export interface Source {
  /** Asks the API how much the window holds (counted styles: offset, page). */
  count(endpoint: string, window: Window, pageSize: number): Promise<CountResult>;
  fetchPage(request: PageRequest): Promise<PageResult>;
  /** Follows a cursor inside a window, one page at a time (cursor styles only); from the start, or from a saved position. */
  walkCursor(endpoint: string, window: Window, pageSize: number, resume?: CursorResume): AsyncIterable<CursorPage>;
}

/* ---------------------------------- Queue --------------------------------- */

/** One delivery of one message, whatever the transport. */
export interface Delivery {
  id: string;
  data: Buffer;
  attributes: Record<string, string>;
  /** 1 on first delivery. */
  deliveryAttempt: number;
}

/** What the transport does with a delivery: ack it, or have it redelivered later. */
export type Ack = 'ack' | 'retry';

export type DeliveryHandler = (delivery: Delivery) => Promise<Ack>;

export interface TaskPublisher {
  /** Resolves once the queue accepted the task (or buffered it under flow control). */
  publish(task: Task): Promise<void>;
  /** Resolves when every published task is durably on the queue; throws if any failed. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface TaskConsumer {
  /** Starts handing deliveries to `handler`, at most `concurrency` at once. */
  start(handler: DeliveryHandler): Promise<void>;
  /** Stops taking new deliveries and waits for in-flight ones. */
  stop(): Promise<void>;
}

/* --------------------------------- Logging -------------------------------- */

/** The slice of a winston logger the packages use, so they can log without importing winston. */
export interface Log {
  error(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  info(message: string, meta?: Record<string, unknown>): unknown;
  debug(message: string, meta?: Record<string, unknown>): unknown;
  child(meta: Record<string, unknown>): Log;
}

/** A Log that drops everything (tests, libraries used without a logger). */
export const silentLog: Log = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  child: () => silentLog,
};
