import { PermanentError } from '@rdc/contracts';

/**
 * Object keys, checked the same way by every sink so that no key can escape the
 * sink's root (a folder, or a bucket prefix) and a key means the same object in each.
 *
 * A key is relative and `/`-separated; each segment is 1-255 characters of
 * `[A-Za-z0-9._=-]` and does not start with `.` (that rules out `.` and `..`, and
 * keeps keys apart from the sinks' hidden temporary files, which Spark and
 * BigQuery skip as well). At most 1024 bytes, the GCS object name limit.
 */
const SEGMENT = /^[A-Za-z0-9_=-][A-Za-z0-9._=-]{0,254}$/;
const MAX_KEY_LENGTH = 1024;
const FORM =
  'Keys are relative and "/"-separated, e.g. "retail/sales/dt=2024-07-01/page-000001.ndjson": segments of A-Z a-z 0-9 . _ = -, not empty, not starting with ".", no leading "/"';

/** Why `key` is not a valid object key, or undefined when it is. */
export function keyProblem(key: string): string | undefined {
  if (key === '') return 'it is empty';
  if (key.length > MAX_KEY_LENGTH) return `it is longer than ${MAX_KEY_LENGTH} characters`;
  if (key.startsWith('/')) return 'it starts with "/"';
  for (const segment of key.split('/')) {
    if (segment === '') return 'it has an empty segment';
    if (segment === '.' || segment === '..') return `it has a "${segment}" segment`;
    if (!SEGMENT.test(segment)) return `segment "${segment}" is not allowed`;
  }
  return undefined;
}

/** Throws a PermanentError unless `key` is a valid object key; `where` names the sink. */
export function validateKey(key: string, where: string): string {
  const why = typeof key === 'string' ? keyProblem(key) : `it is a ${typeof key}, not a string`;
  if (why !== undefined)
    throw new PermanentError(`Invalid object key ${JSON.stringify(key)} for ${where}: ${why}. ${FORM}.`);
  return key;
}

/**
 * Throws unless `prefix` is a valid listing prefix: empty, or a key, or a key
 * followed by `/` (a "folder"); the last segment may be partial (`run=1/page-`).
 */
export function validatePrefix(prefix: string, where: string): string {
  if (prefix === '') return prefix;
  const why =
    typeof prefix === 'string'
      ? keyProblem(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix)
      : `it is a ${typeof prefix}, not a string`;
  if (why !== undefined)
    throw new PermanentError(`Invalid list prefix ${JSON.stringify(prefix)} for ${where}: ${why}. ${FORM}.`);
  return prefix;
}
