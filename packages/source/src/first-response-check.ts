import type { IncomingHttpHeaders } from 'node:http';
import { closestName, ConfigError, timestampReader, type EndpointConfig } from '@rdc/contracts';
import { describeValue, getPath } from './json-path.js';

/**
 * The planner's first response, checked against the endpoint's config before anything
 * is planned: where the records are, the total, and the id and timestamp fields of the
 * first record with their format. A mismatch is a config mistake no retry fixes: a
 * ConfigError (exit 2) in one line naming the key and what the response holds.
 */
export function checkFirstResponse(
  name: string,
  endpoint: EndpointConfig,
  body: unknown,
  headers: IncomingHttpHeaders,
): void {
  const at = `endpoints.${name}`;
  const records = checkRecords(at, endpoint.response.records, body);
  const total = endpoint.response.total;
  if (total) checkTotal(at, total, body, headers);
  const first = records.find((r): r is Record<string, unknown> => r !== null && typeof r === 'object');
  if (first) checkRecord(at, endpoint, first);
}

const quote = (value: string): string => JSON.stringify(value);
const listed = (keys: string[]): string => (keys.length > 0 ? keys.slice(0, 12).join(', ') : 'none');

/** Paths (up to two levels deep) in `body` that hold an array of objects: where records could be. */
export function arrayPaths(body: unknown, prefix = '', depth = 0): string[] {
  if (Array.isArray(body)) return body.some((v) => v !== null && typeof v === 'object') ? [prefix] : [];
  if (body === null || typeof body !== 'object' || depth > 1) return [];
  return Object.entries(body).flatMap(([key, value]) =>
    arrayPaths(value, prefix ? `${prefix}.${key}` : key, depth + 1),
  );
}

function checkRecords(at: string, path: string, body: unknown): unknown[] {
  const value = getPath(body, path);
  if (Array.isArray(value)) return value;
  const key = `${at}.response.records`;
  const candidates = arrayPaths(body);
  const hint = candidates[0] !== undefined ? `: did you mean \`records: ${quote(candidates[0])}\`?` : '';
  if (Array.isArray(body)) {
    throw new ConfigError(`${key} is ${quote(path)}, but the body is an array${hint}`);
  }
  const found =
    value === undefined
      ? `nothing is there (the body's keys: ${listed(body !== null && typeof body === 'object' ? Object.keys(body) : [])})`
      : `it holds ${describeValue(value)}`;
  throw new ConfigError(
    `${key} is ${quote(path)}, but ${found}${hint || '; no array of records was found in the body'}`,
  );
}

function checkTotal(
  at: string,
  total: NonNullable<EndpointConfig['response']['total']>,
  body: unknown,
  headers: IncomingHttpHeaders,
): void {
  const key = `${at}.response.total`;
  if (total.from === 'body') {
    const value = getPath(body, total.path);
    // A number there is the right place; a bad one (negative, fractional) is the API's, checked as the total is read.
    if (typeof value === 'number') return;
    const numbers =
      body !== null && typeof body === 'object' && !Array.isArray(body)
        ? Object.entries(body)
            .filter(([, v]) => typeof v === 'number')
            .map(([k]) => k)
        : [];
    const headerHint = totalHeaders(headers);
    throw new ConfigError(
      `${key}.path is ${quote(total.path)}, but the body holds ${describeValue(value)} there; numbers in the body: ${listed(numbers)}` +
        (headerHint.length > 0 ? `; headers present: ${headerHint.join(', ')}` : ''),
    );
  }
  const raw = headers[total.name.toLowerCase()];
  const text = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  // The header is there; a value that is not a count is the API's, checked as the total is read.
  if (text !== undefined) return;
  const present = totalHeaders(headers);
  throw new ConfigError(
    `${key}.name is ${quote(total.name)}, but the response has no such header; headers present: ${listed(present)}`,
  );
}

/** Response headers that look like a total or a count, spelled as APIs usually do. */
function totalHeaders(headers: IncomingHttpHeaders): string[] {
  return Object.keys(headers)
    .filter((h) => /total|count/i.test(h))
    .map((h) => h.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => `${dash}${c.toUpperCase()}`))
    .map((h) => h.replace(/^X-Wp-/, 'X-WP-'))
    .sort();
}

function checkRecord(at: string, endpoint: EndpointConfig, record: Record<string, unknown>): void {
  const fields = Object.keys(record);
  for (const [key, field] of [
    ['idField', endpoint.idField],
    ['timestampField', endpoint.timestampField],
  ] as const) {
    if (Object.hasOwn(record, field) && record[field] !== null && record[field] !== undefined) continue;
    // A field the schema makes optional (`name?`) may be missing from a record.
    if (!Object.hasOwn(endpoint.schema, field)) continue;
    const near = closestName(field, fields);
    throw new ConfigError(
      `${at}.${key} is ${quote(field)}, but the first record has no such field (its fields: ${listed(fields)})` +
        (near ? `: did you mean ${quote(near)}?` : ''),
    );
  }
  const value = record[endpoint.timestampField];
  if (value === undefined || value === null || Number.isFinite(timestampReader(endpoint)(value))) return;
  const type = schemaType(endpoint, endpoint.timestampField);
  throw new ConfigError(
    `${at}.schema gives ${endpoint.timestampField} the type ${quote(type ?? 'string')}, but the first record holds ${describeValue(value)} (${guessFormat(value)})`,
  );
}

function schemaType(endpoint: EndpointConfig, field: string): string | undefined {
  const spec = Object.hasOwn(endpoint.schema, field) ? endpoint.schema[field] : endpoint.schema[`${field}?`];
  return typeof spec === 'string' ? spec.replace(/\?$/, '') : undefined;
}

/** What a timestamp value looks like, in the schema's type names. */
export function guessFormat(value: unknown): string {
  if (typeof value === 'number' || (typeof value === 'string' && /^-?\d{9,16}(\.\d+)?$/.test(value))) {
    const n = Math.abs(Number(value));
    return n >= 1e11 ? 'looks like "epoch-millis"' : 'looks like "epoch-seconds"';
  }
  if (typeof value !== 'string') return 'not a time';
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return 'looks like "date"';
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value)) {
    return 'looks like "datetime"';
  }
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) return 'looks like "datetime-local"';
  return 'not a time format the schema knows';
}
