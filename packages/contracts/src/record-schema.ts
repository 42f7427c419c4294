import { z } from 'zod';

/**
 * A record schema in JSON config: field name to type. A trailing `?` makes the
 * field nullable and optional, e.g. `{ "id": "string", "note": "string?" }`.
 */
export const FIELD_TYPES = ['string', 'number', 'integer', 'boolean', 'datetime', 'object', 'array'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

const fieldSpec = z
  .string()
  .regex(
    new RegExp(`^(${FIELD_TYPES.join('|')})\\??$`),
    `expected one of ${FIELD_TYPES.join(', ')}, optionally followed by "?"`,
  );

export const RecordSchemaSpec = z.record(z.string().min(1), fieldSpec);
export type RecordSchemaSpec = z.infer<typeof RecordSchemaSpec>;

function fieldType(type: FieldType): z.ZodType {
  switch (type) {
    case 'string':
      return z.string();
    case 'number':
      return z.number().finite();
    case 'integer':
      return z.number().int();
    case 'boolean':
      return z.boolean();
    case 'datetime':
      return z.iso.datetime({ offset: true });
    case 'object':
      return z.record(z.string(), z.unknown());
    case 'array':
      return z.array(z.unknown());
  }
}

/** Builds the zod validator for one record. Unknown extra fields pass through. */
export function buildRecordValidator(spec: RecordSchemaSpec): z.ZodType<Record<string, unknown>> {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, raw] of Object.entries(spec)) {
    const optional = raw.endsWith('?');
    const base = fieldType(raw.replace(/\?$/, '') as FieldType);
    shape[name] = optional ? base.nullish() : base;
  }
  return z.looseObject(shape);
}
