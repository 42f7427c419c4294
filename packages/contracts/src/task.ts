import { z } from 'zod';
import { PermanentError } from './errors.js';
import { NAME_PATTERN } from './service-config.js';
import { describeZodError } from './zod-errors.js';

/**
 * `<service>.<endpoint>.<start>-<end>`, e.g. `retail.sales.20240701T000000Z-20241101T000000Z`:
 * derived from the run's identity, safe in object names, attributes and URLs.
 */
export const RUN_ID_PATTERN = /^[a-z][a-z0-9_]{1,39}\.[a-z][a-z0-9_]{1,39}\.\d{8}T\d{6}(\d{3})?Z-\d{8}T\d{6}(\d{3})?Z$/;
const isoInstant = z.iso.datetime({ offset: true });
const name = z.string().regex(NAME_PATTERN);

export const TimeRange = z
  .strictObject({ start: isoInstant, end: isoInstant })
  .refine((w) => Date.parse(w.start) < Date.parse(w.end), 'expected start < end');
export type TimeRange = z.infer<typeof TimeRange>;

/**
 * The task message version this code publishes and reads. Raise it when a task's
 * shape or meaning changes in a way an older worker would get wrong; a worker then
 * refuses a newer task with `UnsupportedTaskVersionError` (permanent: dead-lettered,
 * never retried) instead of guessing. Deploy workers before planners.
 */
export const TASK_VERSION = 1;

/**
 * A task message of a newer version than this worker reads: a newer planner
 * published it. Permanent (dead-lettered on its first delivery, never retried):
 * this worker would refuse it every time. Upgrade the workers, then resume the run.
 */
export class UnsupportedTaskVersionError extends PermanentError {
  constructor(
    readonly taskVersion: number,
    where: string,
    runId?: string,
  ) {
    super(
      `UnsupportedTaskVersionError: ${where} is a task of message version ${taskVersion}; this worker reads version ${TASK_VERSION} and older. ` +
        `A newer planner published it. Deploy the worker image of the planner's release, then resume the run${runId ? ` ${runId}` : ''} with the planner: its dead-lettered pages are published again.`,
      runId ? { runId } : {},
    );
  }
}

const common = {
  v: z.literal(TASK_VERSION),
  runId: z.string().regex(RUN_ID_PATTERN),
  service: name,
  endpoint: name,
  /** The run's pinned window, [start, end). */
  window: TimeRange,
  pageSize: z.number().int().min(1).max(250),
};

/** One page of a counted endpoint (offset or page-number pagination). */
export const PageTask = z.strictObject({
  ...common,
  kind: z.literal('page'),
  /** 1-based page number. */
  page: z.number().int().min(1).max(10_000_000),
  /** Pages in the run. */
  pages: z.number().int().min(1).max(10_000_000),
  /** Records in the window when the run was planned. */
  total: z.number().int().min(0),
  /** The time slice this page counts within, when the planner split the window (offset depth cap). */
  slice: TimeRange.optional(),
});
export type PageTask = z.infer<typeof PageTask>;

/** One time slice of a cursor-paginated endpoint; the worker follows the cursor inside it. */
export const SliceTask = z.strictObject({
  ...common,
  kind: z.literal('slice'),
  /** 1-based slice number. */
  sliceIndex: z.number().int().min(1).max(10_000_000),
  slices: z.number().int().min(1).max(10_000_000),
  slice: TimeRange,
});
export type SliceTask = z.infer<typeof SliceTask>;

/**
 * One `dt=` partition of a sealed run, to compact into Parquet (published when
 * the run is sealed; one task per UTC date of the window).
 */
export const CompactTask = z.strictObject({
  v: common.v,
  runId: common.runId,
  service: common.service,
  endpoint: common.endpoint,
  window: common.window,
  kind: z.literal('compact'),
  /** The partition: a UTC date of the run's window. */
  dt: z.iso.date(),
});
export type CompactTask = z.infer<typeof CompactTask>;

export const Task = z.discriminatedUnion('kind', [PageTask, SliceTask, CompactTask]);
export type Task = z.infer<typeof Task>;

/** Largest message the connector accepts (bytes of JSON). */
export const MAX_TASK_BYTES = 4096;

export function encodeTask(task: Task): Buffer {
  return Buffer.from(JSON.stringify(task), 'utf8');
}

/** Decodes and validates a task; anything malformed is permanent. */
export function decodeTask(data: Buffer | string, where = 'queue message'): Task {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (buf.length > MAX_TASK_BYTES) {
    throw new PermanentError(`${where} is ${buf.length} bytes; a task is at most ${MAX_TASK_BYTES} bytes.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(buf.toString('utf8'));
  } catch {
    throw new PermanentError(`${where} is not JSON; expected a task published by the planner.`);
  }
  checkTaskVersion(raw, where);
  const parsed = Task.safeParse(raw);
  if (!parsed.success) throw new PermanentError(describeZodError(parsed.error, where, raw));
  return parsed.data;
}

/**
 * A message from a newer planner is refused by name before its fields are read:
 * its other fields may mean something this worker does not know.
 */
function checkTaskVersion(raw: unknown, where: string): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || !Object.hasOwn(raw, 'v')) return;
  const v: unknown = (raw as { v: unknown }).v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > TASK_VERSION) {
    const runId: unknown = (raw as { runId?: unknown }).runId;
    throw new UnsupportedTaskVersionError(
      v,
      where,
      typeof runId === 'string' && RUN_ID_PATTERN.test(runId) ? runId : undefined,
    );
  }
}

/** Attributes on each message, so messages can be filtered and read in the console. */
export function taskAttributes(task: Task): Record<string, string> {
  return {
    runId: task.runId,
    service: task.service,
    endpoint: task.endpoint,
    kind: task.kind,
    ...(task.kind === 'page'
      ? { page: String(task.page) }
      : task.kind === 'slice'
        ? { slice: String(task.sliceIndex) }
        : { dt: task.dt }),
  };
}

export function taskLabel(task: Task): string {
  if (task.kind === 'compact') return `compaction of dt=${task.dt}`;
  return task.kind === 'page' ? `page ${task.page}/${task.pages}` : `slice ${task.sliceIndex}/${task.slices}`;
}
