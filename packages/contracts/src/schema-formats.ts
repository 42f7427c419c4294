import {
  parseRecord,
  type FieldNode,
  type FieldType,
  type RecordNode,
  type RecordSchemaSpec,
} from './record-schema.js';
import { EPOCH_STRING, ISO_LOCAL } from './timestamps.js';

/** One column of a BigQuery schema file (`bq mk --schema`, `bq load`, external table definitions). */
export interface BigQueryField {
  name: string;
  type: 'STRING' | 'INT64' | 'FLOAT64' | 'BOOL' | 'TIMESTAMP' | 'DATETIME' | 'DATE' | 'JSON' | 'RECORD';
  mode: 'REQUIRED' | 'NULLABLE' | 'REPEATED';
  fields?: BigQueryField[];
}

const BIGQUERY_TYPES: Record<FieldType, BigQueryField['type']> = {
  string: 'STRING',
  number: 'FLOAT64',
  integer: 'INT64',
  boolean: 'BOOL',
  datetime: 'TIMESTAMP',
  // A wall time without a zone is a civil DATETIME; BigQuery reads a number in a TIMESTAMP column as
  // seconds since the epoch, so epoch seconds are TIMESTAMP and epoch milliseconds INT64.
  'datetime-local': 'DATETIME',
  'epoch-seconds': 'TIMESTAMP',
  'epoch-millis': 'INT64',
  date: 'DATE',
  object: 'JSON',
  array: 'JSON',
};

function bigQueryField(name: string, node: FieldNode, path: string): BigQueryField {
  if (node.kind === 'array') {
    if (node.items.kind === 'array') {
      throw new RangeError(
        `Field ${path} is an array of arrays, which BigQuery cannot hold; wrap the inner array in an object.`,
      );
    }
    return { ...bigQueryField(name, node.items, `${path}[]`), mode: 'REPEATED' };
  }
  const mode = node.optional ? 'NULLABLE' : 'REQUIRED';
  if (node.kind === 'record') return { name, type: 'RECORD', mode, fields: bigQueryFields(node.fields, `${path}.`) };
  return { name, type: BIGQUERY_TYPES[node.type], mode };
}

function bigQueryFields(fields: RecordNode, prefix: string): BigQueryField[] {
  return [...fields].map(([name, node]) => bigQueryField(name, node, `${prefix}${name}`));
}

/**
 * The BigQuery schema of an endpoint's records: one column per field, nested
 * objects as RECORD, arrays as REPEATED, REQUIRED unless optional. The `dt`
 * partition key is not a column: Hive partitioning adds it from the path.
 */
export function bigQuerySchema(spec: RecordSchemaSpec): BigQueryField[] {
  return bigQueryFields(parseRecord(spec), '');
}

type JsonSchema = Record<string, unknown>;

const JSON_TYPES: Record<FieldType, JsonSchema> = {
  string: { type: 'string' },
  number: { type: 'number' },
  integer: { type: 'integer' },
  boolean: { type: 'boolean' },
  datetime: { type: 'string', format: 'date-time' },
  'datetime-local': { type: 'string', pattern: ISO_LOCAL.source },
  'epoch-seconds': { type: ['number', 'string'], pattern: EPOCH_STRING.source },
  'epoch-millis': { type: ['number', 'string'], pattern: EPOCH_STRING.source },
  date: { type: 'string', format: 'date' },
  object: { type: 'object' },
  array: { type: 'array' },
};

function jsonField(node: FieldNode): JsonSchema {
  const base =
    node.kind === 'scalar'
      ? JSON_TYPES[node.type]
      : node.kind === 'array'
        ? { type: 'array', items: jsonField({ ...node.items, optional: false }) }
        : jsonObject(node.fields);
  if (!node.optional) return base;
  return { anyOf: [base, { type: 'null' }] };
}

function jsonObject(fields: RecordNode): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, node] of fields) {
    properties[name] = jsonField(node);
    if (!node.optional) required.push(name);
  }
  return { type: 'object', properties, required };
}

/** The JSON Schema (draft 2020-12) of one record; fields the schema does not declare are allowed. */
export function jsonSchema(spec: RecordSchemaSpec, title?: string): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    ...(title ? { title } : {}),
    ...jsonObject(parseRecord(spec)),
  };
}
