import { parseRecord, type RecordSchemaSpec } from './record-schema.js';
import type { EndpointConfig } from './service-config.js';
import { parseDuration } from './time-values.js';
import { parseTimeZone, UTC } from './time-zone.js';
import { isTimestampType, readTimestamp, TIMESTAMP_TYPES } from './timestamps.js';
import { BOUND_FORMATS, type BoundFormat, type BoundSpec, formatStepMs } from './window-bounds.js';

export { BOUND_FORMATS };
export const BOUND_KINDS = ['inclusive', 'exclusive'] as const;

/** `params` when the config leaves it out: the bundled API's `start_date`/`end_date`, ISO, [start, end). */
export const PARAMS_DEFAULT = {
  start: 'start_date',
  end: 'end_date',
  format: 'iso',
  startBound: 'inclusive',
  endBound: 'exclusive',
} as const;

const DEFAULT_RESOLUTION: Record<BoundFormat, string> = {
  iso: '1ms',
  'iso-offset': '1ms',
  'iso-local': '1ms',
  date: '1d',
  'epoch-seconds': '1s',
  'epoch-millis': '1ms',
};

/** The resolution in ms (checked at load). */
export function resolutionMs(params: { format: BoundFormat; resolution?: string | undefined }): number {
  return parseDuration(params.resolution ?? DEFAULT_RESOLUTION[params.format], 'resolution');
}

/** Why a `params` block cannot work, or undefined. */
export function boundParamsIssue(params: {
  format: BoundFormat;
  resolution?: string | undefined;
}): { path: string; message: string } | undefined {
  let step: number;
  try {
    step = resolutionMs(params);
  } catch {
    return undefined; // the resolution's own check names it
  }
  const unit = formatStepMs(params.format);
  if (step % unit !== 0) {
    return {
      path: 'resolution',
      message: `expected a resolution of whole ${params.format === 'date' ? 'days ("1d")' : 'seconds ("1s")'} for format "${params.format}", which cannot write finer values`,
    };
  }
  return undefined;
}

/** The schema type of a field, as written (`"datetime"`, `"epoch-seconds?"`), without the `?`. */
function typeOf(schema: RecordSchemaSpec, field: string): string | undefined {
  const node = parseRecord(schema).get(field);
  return node?.kind === 'scalar' ? node.type : node?.kind;
}

/** Why the timestamp field's schema type cannot be read as a time, or undefined. */
export function timestampFieldIssue(schema: RecordSchemaSpec, field: string): string | undefined {
  const type = typeOf(schema, field);
  // `string` stays accepted (read as ISO, as before); a missing field has its own message.
  if (type === undefined || type === 'string' || isTimestampType(type)) return undefined;
  return `expected the timestampField "${field}" to have a time type (${TIMESTAMP_TYPES.join(', ')}), got "${type}"; e.g. "${field}": "epoch-seconds" for Unix seconds`;
}

/** Reads a record's timestamp value as an instant in ms; NaN when it is not one. */
export type TimestampReader = (value: unknown) => number;

const readers = new WeakMap<EndpointConfig, TimestampReader>();

/** How the endpoint's records carry their time: by the schema type of `timestampField`, in `timeZone`. */
export function timestampReader(endpoint: EndpointConfig): TimestampReader {
  let reader = readers.get(endpoint);
  if (!reader) {
    const type = typeOf(endpoint.schema, endpoint.timestampField);
    const zone = parseTimeZone(endpoint.timeZone ?? 'UTC') ?? UTC;
    reader =
      type !== undefined && isTimestampType(type)
        ? (value) => readTimestamp(value, type, zone)
        : (value) => (typeof value === 'string' ? Date.parse(value) : NaN);
    readers.set(endpoint, reader);
  }
  return reader;
}

/** How the endpoint's API reads the window's bound values. */
export function boundSpec(endpoint: EndpointConfig, endpointName?: string): BoundSpec {
  const params = { ...PARAMS_DEFAULT, ...endpoint.params };
  return {
    format: params.format,
    start: params.startBound,
    end: params.endBound,
    resolutionMs: resolutionMs(params),
    zone: parseTimeZone(endpoint.timeZone ?? 'UTC') ?? UTC,
    where: `endpoints.${endpointName ?? '<endpoint>'}.params`,
  };
}
