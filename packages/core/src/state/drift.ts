import { z } from 'zod';
import {
  nameTable,
  ownValue,
  parseRecord,
  type FieldNode,
  type RecordNode,
  type RecordSchemaSpec,
} from '@rdc/contracts';

/** A field that records carry but the endpoint's schema does not declare. */
export interface DriftField {
  /** Records that carry it (at least once, at any depth). */
  records: number;
  /** JSON type of the first value seen: string, integer, number, boolean, null, object or array. */
  type: string;
}
/**
 * Undeclared fields by path: `loyalty_points`, `shipping.zip`, `items[].discount`.
 * The paths are the API's field names, so a Drift has no prototype (`__proto__` is a path like any other).
 */
export type Drift = Record<string, DriftField>;

/** An empty Drift: no prototype, so any field name the API sends is an own key. */
export const emptyDrift = (): Drift => nameTable<DriftField>();

const DriftFieldShape = z.object({ records: z.number().int().nonnegative(), type: z.string() });

/**
 * A Drift as stored in a page record or `_SUCCESS`. Parsed entry by entry into an
 * empty Drift, since a zod record drops a `__proto__` key.
 */
export const StoredDrift = z
  .custom<Record<string, unknown>>(
    (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
    'expected an object',
  )
  .transform((stored, ctx): Drift => {
    const drift = emptyDrift();
    for (const [path, field] of Object.entries(stored)) {
      const parsed = DriftFieldShape.safeParse(field);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', path: [path], message: 'expected { records, type }' });
        return z.NEVER;
      }
      drift[path] = parsed.data;
    }
    return drift;
  });

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function walkValue(value: unknown, node: FieldNode, path: string, found: Map<string, unknown>): void {
  if (node.kind === 'record' && isObject(value)) walkRecord(value, node.fields, `${path}.`, found);
  else if (node.kind === 'array' && Array.isArray(value))
    for (const item of value) walkValue(item, node.items, `${path}[]`, found);
}

function walkRecord(record: Record<string, unknown>, fields: RecordNode, prefix: string, found: Map<string, unknown>) {
  // Runs for every field of every record: no entry pairs, and a path only where one is needed.
  for (const name of Object.keys(record)) {
    const node = fields.get(name);
    if (!node) {
      const path = `${prefix}${name}`;
      if (!found.has(path)) found.set(path, record[name]);
    } else if (node.kind !== 'scalar') walkValue(record[name], node, `${prefix}${name}`, found);
  }
}

/**
 * Counts, over `records`, the fields the schema does not declare (nested ones
 * included). `tree`: the schema parsed once by the caller (the task stage keeps
 * it with the endpoint's compiled schema).
 */
export function countDrift(
  records: readonly Record<string, unknown>[],
  spec: RecordSchemaSpec,
  tree: RecordNode = parseRecord(spec),
): Drift {
  const drift = emptyDrift();
  for (const record of records) {
    const found = new Map<string, unknown>();
    walkRecord(record, tree, '', found);
    for (const [path, sample] of found) {
      const entry = ownValue(drift, path);
      if (entry) entry.records++;
      else drift[path] = { records: 1, type: jsonType(sample) };
    }
  }
  return drift;
}

/** Adds `more` into `into` (record counts summed, the first sample type kept). */
export function mergeDrift(into: Drift, more: Drift | undefined): Drift {
  for (const [path, field] of Object.entries(more ?? {})) {
    const entry = ownValue(into, path);
    if (entry) entry.records += field.records;
    else into[path] = { ...field };
  }
  return into;
}

/** `loyalty_points (integer, 120 records), items[].discount (number, 3 records)`, or `none`. */
export function formatDrift(drift: Drift | undefined): string {
  const entries = Object.entries(drift ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return 'none';
  return entries.map(([path, f]) => `${path} (${f.type}, ${f.records} record${f.records === 1 ? '' : 's'})`).join(', ');
}
