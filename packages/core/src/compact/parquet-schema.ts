import { PermanentError, parseRecord, type FieldNode, type RecordNode, type RecordSchemaSpec } from '@rdc/contracts';
import type { SchemaElement } from 'hyparquet';
import { parseMicros } from './exact-json.js';

/**
 * The Parquet types of an endpoint's record schema (the same mapping as the
 * BigQuery schema file): `string` → UTF8, `integer` → INT64, `number` → DOUBLE,
 * `boolean` → BOOLEAN, `datetime` → TIMESTAMP(MICROS, UTC), `date` → DATE,
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

function scalar(type: FieldNode & { kind: 'scalar' }, name: string, repetition: SchemaElement['repetition_type']) {
  const base = { name, repetition_type: repetition } as const;
  switch (type.type) {
    case 'string':
      return {
        element: { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
        convert: (v: unknown, p: string) => {
          if (typeof v !== 'string') throw bad(p, 'a string', v);
          return v;
        },
      } as const;
    case 'integer':
      return {
        element: { ...base, type: 'INT64' },
        convert: (v: unknown, p: string) => {
          if (typeof v === 'bigint') return v;
          if (typeof v !== 'number' || !Number.isInteger(v)) throw bad(p, 'an integer', v);
          return BigInt(v);
        },
      } as const;
    case 'number':
      return {
        element: { ...base, type: 'DOUBLE' },
        convert: (v: unknown, p: string) => {
          if (typeof v === 'bigint') return Number(v);
          if (typeof v !== 'number') throw bad(p, 'a number', v);
          return v;
        },
      } as const;
    case 'boolean':
      return {
        element: { ...base, type: 'BOOLEAN' },
        convert: (v: unknown, p: string) => {
          if (typeof v !== 'boolean') throw bad(p, 'a boolean', v);
          return v;
        },
      } as const;
    case 'datetime':
      return {
        element: {
          ...base,
          type: 'INT64',
          converted_type: 'TIMESTAMP_MICROS',
          logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
        },
        convert: (v: unknown, p: string) => {
          const micros = typeof v === 'string' ? parseMicros(v) : undefined;
          if (micros === undefined) throw bad(p, 'an ISO 8601 date-time', v);
          return micros;
        },
      } as const;
    case 'date':
      return {
        element: { ...base, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } },
        convert: (v: unknown, p: string) => {
          const ms = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? Date.parse(`${v}T00:00:00Z`) : NaN;
          if (Number.isNaN(ms)) throw bad(p, 'a date (YYYY-MM-DD)', v);
          return Math.floor(ms / DAY_MS);
        },
      } as const;
    case 'object':
    case 'array':
      return {
        element: { ...base, type: 'BYTE_ARRAY', converted_type: 'JSON', logical_type: { type: 'JSON' } },
        convert: (v: unknown, p: string) => {
          const ok =
            type.type === 'array' ? Array.isArray(v) : typeof v === 'object' && v !== null && !Array.isArray(v);
          if (!ok) throw bad(p, `a JSON ${type.type}`, v);
          return v;
        },
      } as const;
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
    const { element, convert } = scalar(node, name, repetition);
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
