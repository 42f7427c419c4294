import { arrayItemTexts, ConfigError, keepRecordText, memberCount, PermanentError } from '@rdc/contracts';
import { describeValue, getPath } from './json-path.js';
import { ShapeError } from './shape-error.js';

export type ApiRecord = Record<string, unknown>;

/**
 * The records array at `path` (dotted; "" for a bare array body). Every item
 * must be a JSON object. Given the body's `text`, each record keeps its own
 * JSON text as the API sent it (`recordLine`), so it is written and its id
 * compared exactly, numbers past 2^53 included.
 */
export function readRecords(body: unknown, path: string, configField: string, text?: string): ApiRecord[] {
  const value = getPath(body, path);
  const where = path === '' ? 'the response body' : `"${path}" in the response body`;
  if (value === undefined && body !== null && typeof body === 'object' && !Array.isArray(body)) {
    // The body is JSON but the path leads nowhere: a config mistake, which no retry fixes.
    const keys = Object.keys(body).slice(0, 10).join(', ');
    throw new ConfigError(
      `The records path "${path}" matches nothing in the response body (its keys: ${keys || 'none'}). Check ${configField} in the service config.`,
    );
  }
  if (!Array.isArray(value)) {
    throw new ShapeError(`expected an array of records at ${where}, got ${describeValue(value)}`, configField);
  }
  const bad = value.findIndex((item) => item === null || typeof item !== 'object' || Array.isArray(item));
  if (bad !== -1) {
    throw new ShapeError(
      `expected every record at ${where} to be an object, but item ${bad} is ${describeValue(value[bad])}`,
      configField,
    );
  }
  const records = value as ApiRecord[];
  if (text === undefined) return records;
  const texts = arrayItemTexts(text, path);
  if (texts?.length !== records.length) {
    throw new Error(
      `the records at ${where} could not be found in the body's text (${texts?.length} of ${records.length})`,
    );
  }
  records.forEach((record, i) => {
    const recordText = texts[i] as string;
    if (memberCount(recordText) !== parsedMembers(record)) {
      // JSON.parse kept the last value of the repeated key; the written text holds both, and
      // readers differ on which counts. Neither the checks nor the bucket may pick silently.
      throw new PermanentError(
        `record ${i} at ${where} gives one key twice in the same object (${recordText.slice(0, 200)}): ` +
          'readers disagree on which value counts, so the page is not landed. Ask the API owner to fix the response.',
      );
    }
    keepRecordText(record, recordText);
  });
  return records;
}

/** Members of every object in a parsed JSON value, at every depth. */
function parsedMembers(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += parsedMembers(item);
    return count;
  }
  for (const key of Object.keys(value)) count += 1 + parsedMembers((value as Record<string, unknown>)[key]);
  return count;
}
