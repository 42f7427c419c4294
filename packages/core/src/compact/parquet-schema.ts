import {
  ISO_LOCAL,
  PermanentError,
  parseRecord,
  readTimestamp,
  UTC,
  type FieldNode,
  type FieldType,
  type RecordNode,
  type RecordSchemaSpec,
} from '@rdc/contracts';
import type { SchemaElement } from 'hyparquet';
import { parseMicros } from './exact-json.js';

/**
 * The Parquet types of an endpoint's record schema (the same mapping as the
 * BigQuery schema file): `string` → UTF8, `integer` → INT64, `number` → DOUBLE,
 * `boolean` → BOOLEAN, `datetime`, `epoch-seconds` and `epoch-millis` →
 * TIMESTAMP(MICROS, adjusted to UTC), `datetime-local` → TIMESTAMP(MICROS, not
 * adjusted: a civil DATETIME), `date` → DATE,
 * nested objects → groups (STRUCT), arrays → 3-level LISTs, opaque
 * `object`/`array` → JSON text. A field is REQUIRED unless the schema makes it
 * optional. Fields the schema does not declare are not columns.
 */

const DAY_MS = 86_400_000;

/** Converts one value of a column from its JSON form to what the writer encodes. */
type Convert = (value: unknown, path: string) => unknown;

export interface ParquetColumn {
  name: string;
  convert: Convert;
}

export interface ParquetLayout {
  /** The flattened schema tree, root first, as Parquet stores it. */
  schema: SchemaElement[];
  /** The top-level columns in schema order. */
  columns: ParquetColumn[];
}

const bad = (path: string, expected: string, value: unknown): PermanentError =>
  new PermanentError(
    `Record field ${path} is ${JSON.stringify(typeof value === 'bigint' ? String(value) : value)?.slice(0, 80) ?? 'undefined'}; ` +
      `the endpoint's schema says ${expected}. A sealed run's records passed that schema when they landed, so the NDJSON part was changed since: ` +
      'compare it with the API and land the run again (--repair).',
  );

interface Scalar {
  element: SchemaElement;
  convert: Convert;
}

const TIMESTAMP_UTC = {
  type: 'INT64',
  converted_type: 'TIMESTAMP_MICROS',
  logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
} as const;

/** A time column: microseconds read by `read`, or the value refused as `expected`. */
const time =
  (read: (v: unknown) => bigint | undefined, expected: string): Convert =>
  (v, p) => {
    const micros = read(v);
    if (micros === undefined) throw bad(p, expected, v);
    return micros;
  };

/** Microseconds of an epoch value in `unitMs` (seconds or milliseconds), or undefined. */
const epochMicros =
  (type: 'epoch-seconds' | 'epoch-millis') =>
  (v: unknown): bigint | undefined => {
    const ms = readTimestamp(typeof v === 'bigint' ? Number(v) : v, type);
    return Number.isNaN(ms) ? undefined : BigInt(ms) * 1000n;
  };

/** Microseconds of a wall time without a zone, as if it were UTC (a civil DATETIME). */
function wallMicros(v: unknown): bigint | undefined {
  if (typeof v !== 'string') return undefined;
  const ms = readTimestamp(v, 'datetime-local', UTC);
  if (Number.isNaN(ms)) return undefined;
  const fraction = ISO_LOCAL.exec(v)?.[7]?.slice(1) ?? '';
  return BigInt(ms) * 1000n + BigInt(fraction.padEnd(6, '0').slice(3, 6));
}

function scalar(type: FieldType, name: string, repetition: SchemaElement['repetition_type']): Scalar {
  const base = { name, repetition_type: repetition };
  switch (type) {
    case 'string':
      return {
        element: { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
        convert: (v, p) => {
          if (typeof v !== 'string') throw bad(p, 'a string', v);
          return v;
        },
      };
    case 'integer':
      return {
        element: { ...base, type: 'INT64' },
        convert: (v, p) => {
          if (typeof v === 'bigint') return v;
          if (typeof v !== 'number' || !Number.isInteger(v)) throw bad(p, 'an integer', v);
          return BigInt(v);
        },
      };
    case 'number':
      return {
        element: { ...base, type: 'DOUBLE' },
        convert: (v, p) => {
          if (typeof v === 'bigint') return Number(v);
          if (typeof v !== 'number') throw bad(p, 'a number', v);
          return v;
        },
      };
    case 'boolean':
      return {
        element: { ...base, type: 'BOOLEAN' },
        convert: (v, p) => {
          if (typeof v !== 'boolean') throw bad(p, 'a boolean', v);
          return v;
        },
      };
    case 'datetime':
      return {
        element: { ...base, ...TIMESTAMP_UTC },
        convert: time((v) => (typeof v === 'string' ? parseMicros(v) : undefined), 'an ISO 8601 date-time with a zone'),
      };
    case 'epoch-seconds':
    case 'epoch-millis':
      // Instants, whatever unit the API counts them in: a TIMESTAMP column.
      return { element: { ...base, ...TIMESTAMP_UTC }, convert: time(epochMicros(type), `a Unix time (${type})`) };
    case 'datetime-local':
      // A wall time without a zone: TIMESTAMP not adjusted to UTC (BigQuery DATETIME, DuckDB TIMESTAMP).
      return {
        element: {
          ...base,
          type: 'INT64',
          logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' },
        },
        convert: time(wallMicros, 'an ISO date-time without a zone'),
      };
    case 'date':
      return {
        element: { ...base, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } },
        convert: (v, p) => {
          const ms = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? Date.parse(`${v}T00:00:00Z`) : NaN;
          if (Number.isNaN(ms)) throw bad(p, 'a date (YYYY-MM-DD)', v);
          return Math.floor(ms / DAY_MS);
        },
      };
    case 'object':
    case 'array':
      return {
        element: { ...base, type: 'BYTE_ARRAY', converted_type: 'JSON', logical_type: { type: 'JSON' } },
        convert: (v, p) => {
          const ok = type === 'array' ? Array.isArray(v) : typeof v === 'object' && v !== null && !Array.isArray(v);
          if (!ok) throw bad(p, `a JSON ${type}`, v);
          return v;
        },
      };
  }
}

/** Appends `node`'s elements (depth first) to `out`, returns its converter. */
function field(node: FieldNode, name: string, out: SchemaElement[]): Convert {
  const repetition = node.optional ? 'OPTIONAL' : 'REQUIRED';
  const nullable =
    (convert: Convert): Convert =>
    (v, p) => {
      if (v === null || v === undefined) {
        if (node.optional) return undefined;
        throw bad(p, 'a required value', v);
      }
      return convert(v, p);
    };
  if (node.kind === 'scalar') {
    const { element, convert } = scalar(node.type, name, repetition);
    out.push(element);
    return nullable(convert);
  }
  if (node.kind === 'array') {
    out.push({
      name,
      repetition_type: repetition,
      num_children: 1,
      converted_type: 'LIST',
      logical_type: { type: 'LIST' },
    });
    out.push({ name: 'list', repetition_type: 'REPEATED', num_children: 1 });
    const item = field(node.items, 'element', out);
    return nullable((v, p) => {
      if (!Array.isArray(v)) throw bad(p, 'an array', v);
      return v.map((x, i) => item(x, `${p}[${i}]`));
    });
  }
  out.push({ name, repetition_type: repetition, num_children: node.fields.size });
  const convertRecord = group(node.fields, out);
  return nullable(convertRecord);
}

/** The converter of a group of fields: a null-prototype object with the converted fields. */
function group(fields: RecordNode, out: SchemaElement[]): Convert {
  const children: [string, Convert][] = [];
  for (const [name, node] of fields) children.push([name, field(node, name, out)]);
  return (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(p, 'an object', v);
    const source = v as Record<string, unknown>;
    const converted: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [name, convert] of children) {
      converted[name] = convert(Object.hasOwn(source, name) ? source[name] : undefined, `${p}.${name}`);
    }
    return converted;
  };
}

/** The Parquet schema and column converters of an endpoint's record schema. */
export function parquetLayout(spec: RecordSchemaSpec): ParquetLayout {
  const fields = parseRecord(spec);
  const schema: SchemaElement[] = [{ name: 'root', num_children: fields.size }];
  const columns: ParquetColumn[] = [];
  for (const [name, node] of fields) columns.push({ name, convert: field(node, name, schema) });
  return { schema, columns };
}
