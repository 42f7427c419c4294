import {
  buildRecordValidator,
  describeZodError,
  PermanentError,
  TransientError,
  type EndpointConfig,
  type PageResult,
  type PageTask,
} from '@rdc/contracts';
import { expectedRecords } from './plan.js';

type Validator = ReturnType<typeof buildRecordValidator>;
const validators = new WeakMap<EndpointConfig, Validator>();

function validatorFor(endpoint: EndpointConfig): Validator {
  let validator = validators.get(endpoint);
  if (!validator) {
    validator = buildRecordValidator(endpoint.schema);
    validators.set(endpoint, validator);
  }
  return validator;
}

/**
 * Checks a fetched page against the plan: the API's total is unchanged, the
 * page holds exactly the records the plan predicts, each record matches the
 * endpoint's schema, falls inside the window, and no id repeats.
 * Count mismatches are transient (retried, then dead-lettered); schema
 * failures are permanent.
 */
export function validatePage(task: PageTask, endpoint: EndpointConfig, result: PageResult): void {
  const where = `run ${task.runId} page ${task.page}/${task.pages}`;
  const ctx = { runId: task.runId, page: task.page };
  if (result.total !== undefined && result.total !== task.total) {
    throw new TransientError(
      `The API's total changed for ${where}: planned ${task.total} records in the window, the API now reports ${result.total}. ` +
        'Records were added or removed inside the pinned window; once retries run out the page is dead-lettered and `status` lists it.',
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
  const validator = validatorFor(endpoint);
  const start = Date.parse(task.window.start);
  const end = Date.parse(task.window.end);
  const ids = new Set<unknown>();
  result.records.forEach((record, index) => {
    const parsed = validator.safeParse(record);
    if (!parsed.success) {
      throw new PermanentError(describeZodError(parsed.error, `Record ${index} of ${where}`, record), ctx);
    }
    const id = record[endpoint.idField];
    if (typeof id !== 'string' && typeof id !== 'number') {
      throw new PermanentError(`Record ${index} of ${where} has no id in field "${endpoint.idField}".`, ctx);
    }
    if (ids.has(id)) throw new TransientError(`${where} repeats record id ${String(id)}.`, ctx);
    ids.add(id);
    const ts = Date.parse(String(record[endpoint.timestampField]));
    if (!(ts >= start && ts < end)) {
      throw new TransientError(
        `Record ${String(id)} of ${where} has ${endpoint.timestampField}=${String(record[endpoint.timestampField])}, outside the window [${task.window.start}, ${task.window.end}). The API ignored the window filter.`,
        ctx,
      );
    }
  });
}
