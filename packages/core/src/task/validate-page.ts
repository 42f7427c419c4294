import {
  buildRecordValidator,
  compileRecordCheck,
  ConfigError,
  describeZodError,
  exactId,
  ownValue,
  PermanentError,
  TransientError,
  type EndpointConfig,
  type ErrorContext,
  type PageResult,
  type PageTask,
  parseRecord,
  timestampReader,
  type RecordNode,
} from '@rdc/contracts';
import { expectedRecords } from '../plan/counting.js';

/**
 * An endpoint's schema, compiled: a check for the hot path, zod (the final word,
 * with the error message), and the parsed tree that schema drift is counted on.
 */
export interface CompiledSchema {
  fast: ReturnType<typeof compileRecordCheck>;
  zod: ReturnType<typeof buildRecordValidator>;
  tree: RecordNode;
}

/** Each endpoint's schema, compiled once: endpoints come from a catalog loaded once. */
export class SchemaCache {
  private readonly byEndpoint = new WeakMap<EndpointConfig, CompiledSchema>();

  for(endpoint: EndpointConfig): CompiledSchema {
    let compiled = this.byEndpoint.get(endpoint);
    if (!compiled) {
      compiled = {
        fast: compileRecordCheck(endpoint.schema),
        zod: buildRecordValidator(endpoint.schema),
        tree: parseRecord(endpoint.schema),
      };
      this.byEndpoint.set(endpoint, compiled);
    }
    return compiled;
  }

  has(endpoint: EndpointConfig): boolean {
    return this.byEndpoint.has(endpoint);
  }
}

export interface RecordCheck {
  /** The records must fall in [start, end): the run's window, or the task's slice. */
  bounds: { start: string; end: string };
  /** e.g. `run retail.sales.… page 3/10`, for messages. */
  where: string;
  context: ErrorContext;
  /** Ids (exact text) seen so far; pass one set across the pages of a slice walk to catch repeats between pages. */
  seen?: Set<string>;
}

/**
 * Checks each record: it matches the endpoint's schema (permanent if not), has
 * an id that no earlier record had, and a timestamp inside the bounds (both
 * transient: the API may serve it right on the next try).
 */
export function checkRecords(
  records: readonly Record<string, unknown>[],
  endpoint: EndpointConfig,
  check: RecordCheck,
  schemas: SchemaCache = new SchemaCache(),
): void {
  const { where, context: ctx, bounds } = check;
  const validator = schemas.for(endpoint);
  const start = Date.parse(bounds.start);
  const end = Date.parse(bounds.end);
  const ids = check.seen ?? new Set<string>();
  const readTime = timestampReader(endpoint);
  records.forEach((record, index) => {
    // A field the records lack altogether is the config's mistake, named here rather than retried.
    const missing =
      ownValue(record, endpoint.idField) === undefined
        ? 'idField'
        : ownValue(record, endpoint.timestampField) === undefined
          ? 'timestampField'
          : undefined;
    if (missing) {
      const fields = Object.keys(record).slice(0, 12).join(', ');
      throw new ConfigError(
        `Record ${index} of ${where} has no field "${endpoint[missing]}" (the endpoint's ${missing}; its fields: ${fields}). Check ${missing} in the service config.`,
        ctx,
      );
    }
    if (!validator.fast(record)) {
      const parsed = validator.zod.safeParse(record);
      if (!parsed.success) {
        throw new PermanentError(describeZodError(parsed.error, `Record ${index} of ${where}`, record), ctx);
      }
    }
    const value = record[endpoint.idField];
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new PermanentError(`Record ${index} of ${where} has no id in field "${endpoint.idField}".`, ctx);
    }
    // By its exact text: 64-bit ids that parse to one rounded number are still different ids.
    const id = exactId(record, endpoint.idField);
    if (ids.has(id)) throw new TransientError(`${where} repeats record id ${id}.`, ctx);
    ids.add(id);
    const ts = readTime(record[endpoint.timestampField]);
    if (Number.isNaN(ts)) {
      throw new PermanentError(
        `Record ${id} of ${where} has ${endpoint.timestampField}=${JSON.stringify(record[endpoint.timestampField])}, which is no real time ` +
          `in the form its schema type names. Check the schema type of ${endpoint.timestampField} (datetime, datetime-local, date, epoch-seconds, epoch-millis) in the service config.`,
        ctx,
      );
    }
    if (!(ts >= start && ts < end)) {
      throw new TransientError(
        `Record ${id} of ${where} has ${endpoint.timestampField}=${String(record[endpoint.timestampField])}, outside the window [${bounds.start}, ${bounds.end}). The API ignored the window filter.`,
        ctx,
      );
    }
  });
}

/**
 * Checks a fetched page against the plan: the API's total is unchanged, the
 * page holds exactly the records the plan predicts, each record matches the
 * endpoint's schema, falls inside the window (the task's slice, when the
 * planner split the window), and no id repeats.
 * Count mismatches are transient (retried, then dead-lettered); schema
 * failures are permanent.
 */
export function validatePage(
  task: PageTask,
  endpoint: EndpointConfig,
  result: PageResult,
  schemas?: SchemaCache,
): void {
  const slice = task.slice ? ` of slice [${task.slice.start}, ${task.slice.end})` : '';
  const where = `run ${task.runId} page ${task.page}/${task.pages}${slice}`;
  const ctx = { runId: task.runId, page: task.page };
  const scope = task.slice ? 'slice' : 'window';
  if (result.total !== undefined && result.total !== task.total) {
    throw new TransientError(
      `The API's total changed for ${where}: planned ${task.total} records in the ${scope}, the API now reports ${result.total}. ` +
        `Records were added or removed inside the pinned ${scope}; once retries run out the page is dead-lettered and \`status\` lists it.`,
      ctx,
    );
  }
  const expected = expectedRecords(task);
  if (result.records.length !== expected) {
    throw new TransientError(
      `${where} holds ${result.records.length} records; the plan expects ${expected} (page size ${task.pageSize}, total ${task.total}). ` +
        'A short or over-long page would lose or duplicate rows, so it is not written.',
      ctx,
    );
  }
  checkRecords(result.records, endpoint, { bounds: task.slice ?? task.window, where, context: ctx }, schemas);
}
