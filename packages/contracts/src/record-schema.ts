import { z } from 'zod';
import { EPOCH_STRING, ISO_LOCAL } from './timestamps.js';

/**
 * A record schema in JSON config: field name to type. Types nest:
 *
 *   "id": "string"                       a typed value; a trailing `?` makes it nullable and optional
 *   "shipping": { "city": "string" }     an object with typed fields (a RECORD)
 *   "items": [{ "sku": "string", "quantity": "integer", "unit_price": "number" }]
 *                                        an array of a typed item (REPEATED)
 *   "tags": ["string"]                   an array of strings
 *   "shipping?": { … }                   a `?` after a name makes any field optional
 *
 * `object` and `array` stay as opaque JSON values (BigQuery `JSON`). Times come as
 * `datetime` (ISO with a zone), `datetime-local` (ISO without one), `date`,
 * `epoch-seconds` or `epoch-millis` (a number or a string of digits).
 */
export const FIELD_TYPES = [
  'string',
  'number',
  'integer',
  'boolean',
  'datetime',
  'datetime-local',
  'date',
  'epoch-seconds',
  'epoch-millis',
  'object',
  'array',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** A field's type as written in config. */
export type FieldSpec = string | FieldSpec[] | { [name: string]: FieldSpec };

const scalarSpec = z
  .string()
  .regex(
    new RegExp(`^(${FIELD_TYPES.join('|')})\\??$`),
    `expected one of ${FIELD_TYPES.join(', ')} (optionally followed by "?"), an object of typed fields, or an array of one typed item`,
  );

/** Field names become column names: letters, digits and `_` (BigQuery's rule), then an optional `?`. */
const fieldName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,299}\??$/,
    'expected a field name of letters, digits and "_" (optionally ending in "?")',
  );

export const FieldSpec: z.ZodType<FieldSpec> = z.lazy(() =>
  z.union([
    scalarSpec,
    z
      .array(FieldSpec)
      .length(1, 'expected an array of exactly one item type, e.g. [{"sku": "string"}]')
      .refine(
        (a) => !Array.isArray(a[0]),
        'an array of arrays has no BigQuery type; wrap the inner array in an object',
      ),
    z.record(fieldName, FieldSpec).refine((o) => Object.keys(o).length > 0, 'expected at least one field'),
  ]),
);

export const RecordSchemaSpec = z.record(fieldName, FieldSpec);
export type RecordSchemaSpec = z.infer<typeof RecordSchemaSpec>;

/** A field's type, parsed. */
export type FieldNode =
  | { kind: 'scalar'; type: FieldType; optional: boolean }
  | { kind: 'record'; fields: RecordNode; optional: boolean }
  | { kind: 'array'; items: FieldNode; optional: boolean };
export type RecordNode = Map<string, FieldNode>;

function parseField(spec: FieldSpec, optionalName: boolean): FieldNode {
  if (typeof spec === 'string') {
    const optional = optionalName || spec.endsWith('?');
    return { kind: 'scalar', type: spec.replace(/\?$/, '') as FieldType, optional };
  }
  if (Array.isArray(spec)) {
    const [item] = spec;
    if (item === undefined) throw new RangeError('An array type needs one item type');
    return { kind: 'array', items: parseField(item, false), optional: optionalName };
  }
  return { kind: 'record', fields: parseRecord(spec), optional: optionalName };
}

/** Parses a (validated) schema spec into its field tree; `name?` keys become `name`, optional. */
export function parseRecord(spec: Record<string, FieldSpec>): RecordNode {
  const out: RecordNode = new Map();
  for (const [raw, field] of Object.entries(spec)) {
    const optional = raw.endsWith('?');
    out.set(optional ? raw.slice(0, -1) : raw, parseField(field, optional));
  }
  return out;
}

function scalarValidator(type: FieldType): z.ZodType {
  switch (type) {
    case 'string':
      return z.string();
    case 'number':
      return z.number().finite();
    case 'integer':
      // Not z.int(): it stops at 2^53, and records keep their 64-bit integers as the API sent them.
      return z.number().refine(Number.isInteger, 'expected an integer');
    case 'boolean':
      return z.boolean();
    case 'datetime':
      return z.iso.datetime({ offset: true });
    case 'date':
      return z.iso.date();
    case 'datetime-local':
      return z.string().regex(ISO_LOCAL, 'expected an ISO datetime without a zone, e.g. 2024-07-01T10:00:00');
    case 'epoch-seconds':
    case 'epoch-millis':
      return z.union([
        z.number().finite(),
        z.string().regex(EPOCH_STRING, 'expected a Unix time: a number, or a string of digits'),
      ]);
    case 'object':
      return z.record(z.string(), z.unknown());
    case 'array':
      return z.array(z.unknown());
  }
}

function validatorOf(node: FieldNode): z.ZodType {
  const base =
    node.kind === 'scalar'
      ? scalarValidator(node.type)
      : node.kind === 'array'
        ? z.array(validatorOf({ ...node.items, optional: false }))
        : recordValidator(node.fields);
  return node.optional ? base.nullish() : base;
}

function recordValidator(fields: RecordNode): z.ZodType<Record<string, unknown>> {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, node] of fields) shape[name] = validatorOf(node);
  return z.preprocess(ownFieldsOnly, z.looseObject(shape));
}

/**
 * A JSON object seen through a null-prototype copy, so a field the record lacks
 * reads as missing even when Object.prototype has it (`constructor`, `toString`).
 */
function ownFieldsOnly(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.assign(Object.create(null) as object, value);
}

/** Builds the zod validator for one record, nested fields included. Unknown extra fields pass through. */
export function buildRecordValidator(spec: RecordSchemaSpec): z.ZodType<Record<string, unknown>> {
  return recordValidator(parseRecord(spec));
}
