import { z } from 'zod';
import {
  parseRecord,
  type FieldNode,
  type FieldType,
  type RecordNode,
  type RecordSchemaSpec,
} from './record-schema.js';
import { EPOCH_STRING, ISO_LOCAL } from './timestamps.js';

/** A fast test of one record: true means the zod validator of the same schema accepts it too. */
export type RecordCheck = (record: unknown) => boolean;

type Check = (value: unknown) => boolean;

/** Matches nothing: a format whose pattern zod does not expose is left to zod. */
const NEVER = /(?!)/;
/** The patterns of the very zod checks `buildRecordValidator` uses, so both agree on every string. */
const DATETIME = z.iso.datetime({ offset: true })._zod.def.pattern ?? NEVER;
const DATE = z.iso.date()._zod.def.pattern ?? NEVER;

/**
 * Only objects as JSON.parse makes them pass; anything else (null prototype, class
 * instances) is left to zod, whose rules for those are its own.
 */
const isJsonObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

function scalar(type: FieldType): Check {
  switch (type) {
    case 'string':
      return (v) => typeof v === 'string';
    case 'number':
      return (v) => typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      // Past 2^53 too: the record is written as the API sent it, so a 64-bit id keeps every digit.
      return (v) => typeof v === 'number' && Number.isInteger(v);
    case 'boolean':
      return (v) => typeof v === 'boolean';
    case 'datetime':
      return (v) => typeof v === 'string' && DATETIME.test(v);
    case 'date':
      return (v) => typeof v === 'string' && DATE.test(v);
    case 'datetime-local':
      return (v) => typeof v === 'string' && ISO_LOCAL.test(v);
    case 'epoch-seconds':
    case 'epoch-millis':
      return (v) => (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && EPOCH_STRING.test(v));
    case 'object':
      return isJsonObject;
    case 'array':
      return Array.isArray;
  }
}

function field(node: FieldNode): Check {
  const base: Check =
    node.kind === 'scalar'
      ? scalar(node.type)
      : node.kind === 'array'
        ? arrayOf(field({ ...node.items, optional: false }))
        : record(node.fields);
  return node.optional ? (v) => v === null || v === undefined || base(v) : base;
}

function arrayOf(item: Check): Check {
  return (v) => {
    if (!Array.isArray(v)) return false;
    for (const element of v) if (!item(element)) return false;
    return true;
  };
}

function record(fields: RecordNode): Check {
  const checks = [...fields].map(([name, node]) => [name, field(node)] as const);
  return (v) => {
    if (!isJsonObject(v)) return false;
    // Own fields only: a record without `constructor` has none, whatever Object.prototype holds.
    for (const [name, check] of checks) if (!check(Object.hasOwn(v, name) ? v[name] : undefined)) return false;
    return true;
  };
}

/**
 * Compiles the record schema into plain type checks, for the hot path of page
 * validation (zod allocates per field and record; this does not). It never
 * accepts what the schema's zod validator (`buildRecordValidator`) refuses; when
 * it answers false, ask zod, which has the final word and the error message.
 */
export function compileRecordCheck(spec: RecordSchemaSpec): RecordCheck {
  return record(parseRecord(spec));
}
