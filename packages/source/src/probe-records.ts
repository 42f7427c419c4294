import { ISO_DATE, ISO_LOCAL, ISO_ZONED, type TimestampType } from '@rdc/contracts';
import { arrayPaths } from './first-response-check.js';
import { getPath } from './json-path.js';

type Row = Record<string, unknown>;

/** Where the records are in a body: the array of objects with the most items, and the others seen. */
export interface RecordsFinding {
  path: string;
  records: Row[];
  others: string[];
}

const isRow = (v: unknown): v is Row => v !== null && typeof v === 'object' && !Array.isArray(v);

export function findRecords(body: unknown): RecordsFinding | undefined {
  const found = arrayPaths(body).map((path) => {
    const value = getPath(body, path) as unknown[];
    return { path, records: value.filter(isRow) };
  });
  const best = [...found].sort((a, b) => b.records.length - a.records.length)[0];
  if (best === undefined) return undefined;
  return { ...best, others: found.filter((f) => f !== best).map((f) => f.path) };
}

/** Earliest and latest plausible epoch values: 2000-01-01 to 2100-01-01. */
const EPOCH_RANGE = [946_684_800, 4_102_444_800] as const;

/** The timestamp type of one value, if it is one (epoch numbers only between 2000 and 2100). */
export function timeTypeOf(value: unknown): TimestampType | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) {
    if (value >= EPOCH_RANGE[0] && value < EPOCH_RANGE[1]) return 'epoch-seconds';
    if (value >= EPOCH_RANGE[0] * 1000 && value < EPOCH_RANGE[1] * 1000) return 'epoch-millis';
    return undefined;
  }
  if (typeof value !== 'string') return undefined;
  if (ISO_ZONED.test(value)) return 'datetime';
  if (ISO_LOCAL.test(value)) return 'datetime-local';
  if (ISO_DATE.test(value)) return 'date';
  return undefined;
}

/** The values of `field` across the records (undefined where a record lacks it). */
const valuesOf = (records: readonly Row[], field: string): unknown[] =>
  records.map((r) => (Object.hasOwn(r, field) ? r[field] : undefined));

/** Top-level field names of the records, in first-seen order. */
export function fieldNames(records: readonly Row[]): string[] {
  const names = new Set<string>();
  for (const record of records) for (const key of Object.keys(record)) names.add(key);
  return [...names];
}

/** Fields every record holds, as a string or an integer, each value once: what can be the id. `id` first. */
export function idCandidates(records: readonly Row[]): string[] {
  if (records.length === 0) return [];
  const unique = (field: string) => {
    const values = valuesOf(records, field);
    const ok = values.every(
      (v) => (typeof v === 'string' && v !== '') || (typeof v === 'number' && Number.isInteger(v)),
    );
    return ok && new Set(values.map(String)).size === values.length;
  };
  const rank = (f: string) => (f === 'id' ? 0 : /(^|_)(id|uuid|key)$|Id$/.test(f) ? 1 : 2);
  return fieldNames(records)
    .filter(unique)
    .filter((f) => rank(f) < 2)
    .sort((a, b) => rank(a) - rank(b));
}

/** A field every record holds a timestamp in, all of one type. */
export interface TimeCandidate {
  field: string;
  type: TimestampType;
  /** Earliest and latest instant on the page (zone-less values read as UTC). */
  min: number;
  max: number;
  /** No value carries a fraction of a second. */
  wholeSeconds: boolean;
  /** The first record's value, for the report. */
  sample: unknown;
}

function instant(value: unknown, type: TimestampType): number {
  if (type === 'epoch-seconds') return (value as number) * 1000;
  if (type === 'epoch-millis') return value as number;
  const text = value as string;
  return Date.parse(type === 'datetime' ? text : type === 'date' ? `${text}T00:00:00Z` : `${text.replace(' ', 'T')}Z`);
}

export function timeCandidates(records: readonly Row[]): TimeCandidate[] {
  if (records.length === 0) return [];
  return fieldNames(records).flatMap((field) => {
    const values = valuesOf(records, field);
    const type = timeTypeOf(values[0]);
    if (type === undefined || values.some((v) => timeTypeOf(v) !== type)) return [];
    const instants = values.map((v) => instant(v, type));
    const wholeSeconds =
      type === 'epoch-seconds' ||
      type === 'date' ||
      (type === 'epoch-millis'
        ? instants.every((ms) => ms % 1000 === 0)
        : values.every((v) => !/\.\d*[1-9]/.test(v as string)));
    return [{ field, type, min: Math.min(...instants), max: Math.max(...instants), wholeSeconds, sample: values[0] }];
  });
}

/** The schema type of a set of non-null values, or undefined when they disagree. */
function typeOfValues(values: readonly unknown[]): string | undefined {
  const kinds = new Set(
    values.map((v) => {
      if (Array.isArray(v)) return 'array';
      if (typeof v === 'object') return 'object';
      if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
      return typeof v;
    }),
  );
  if (kinds.size === 2 && kinds.has('integer') && kinds.has('number')) return 'number';
  const [only] = kinds;
  return kinds.size === 1 &&
    only !== undefined &&
    ['string', 'integer', 'number', 'boolean', 'object', 'array'].includes(only)
    ? only
    : undefined;
}

/** A draft record schema from the page: the given fields as typed (`type?` optional), every other field optional. */
export interface SchemaDraft {
  schema: Record<string, string>;
  /** Fields null or missing on every record: no type to give them, left out. */
  untyped: string[];
  /** Fields whose values differ in type across the page (e.g. a number here, a string there). */
  mixed: string[];
}

export function draftSchema(records: readonly Row[], typed: ReadonlyMap<string, string>): SchemaDraft {
  const schema: Record<string, string> = Object.create(null) as Record<string, string>;
  const untyped: string[] = [];
  const mixed: string[] = [];
  for (const field of fieldNames(records)) {
    // Not a column name (or `__proto__`, which JavaScript reserves): the record keeps it, the schema leaves it out.
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,299}$/.test(field) || field === '__proto__') continue;
    const given = typed.get(field);
    if (given !== undefined) {
      schema[given.endsWith('?') ? `${field}?` : field] = given.replace(/\?$/, '');
      continue;
    }
    const values = valuesOf(records, field).filter((v) => v !== null && v !== undefined);
    if (values.length === 0) {
      untyped.push(field);
      continue;
    }
    const type = typeOfValues(values);
    if (type === undefined) mixed.push(field);
    else schema[`${field}?`] = type;
  }
  return { schema: { ...schema }, untyped, mixed };
}
