import { fromWallMs, type TimeZone, UTC } from './time-zone.js';

/**
 * The forms a record's timestamp comes in, named by the schema type of the
 * endpoint's `timestampField`:
 *
 *   datetime        ISO 8601 with `Z` or an offset: `2024-07-01T10:00:00Z`, `2024-07-01T12:00:00+02:00`
 *   datetime-local  ISO 8601 without a zone: `2024-07-01T10:00:00`, read in the endpoint's `timeZone`
 *   date            `2024-07-01`: midnight in the endpoint's `timeZone`
 *   epoch-seconds   seconds since 1970-01-01T00:00:00Z, a JSON number or a string of digits: `1719828000`, `"1719828000"`
 *   epoch-millis    milliseconds since then, likewise: `1719828000000`
 */
export const TIMESTAMP_TYPES = ['datetime', 'datetime-local', 'date', 'epoch-seconds', 'epoch-millis'] as const;
export type TimestampType = (typeof TIMESTAMP_TYPES)[number];

export const isTimestampType = (type: string): type is TimestampType =>
  (TIMESTAMP_TYPES as readonly string[]).includes(type);

/** ISO datetime with a zone (what zod's `iso.datetime({ offset: true })` accepts, seconds optional). */
export const ISO_ZONED = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
/** ISO datetime without a zone; a space instead of `T` too (`2024-07-01 10:00:00`, as MySQL-backed APIs write it). */
export const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/;
export const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** An epoch number as a string: digits, maybe a sign and a fraction. */
export const EPOCH_STRING = /^-?\d{1,16}(\.\d{1,9})?$/;

/** Largest |epoch seconds| read: year 9999 and its mirror; beyond it the value is not a time. */
const MAX_EPOCH_SECONDS = 253_402_300_799;

/** Milliseconds of a UTC clock for the parts, or NaN when they are no real calendar time. */
function wallMs(parts: RegExpExecArray): number {
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac] = parts;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return NaN;
  const ms = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
  // Date.UTC reads years 0-99 as 19xx; setUTCFullYear does not.
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  date.setUTCFullYear(year, month - 1, day);
  // A date that does not exist (2024-02-30) rolls over into the next month; a real one keeps its day.
  return date.getUTCDate() === day ? date.getTime() : NaN;
}

function zoneOffsetMs(zone: string): number {
  if (zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 23 || minutes > 59) return NaN;
  return sign * (hours * 60 + minutes) * 60_000;
}

function epoch(value: unknown, unitMs: number): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && EPOCH_STRING.test(value)) n = Number(value);
  else return NaN;
  if (!Number.isFinite(n) || Math.abs(n * (unitMs / 1000)) > MAX_EPOCH_SECONDS) return NaN;
  return Math.round(n * unitMs);
}

/**
 * The instant (ms since the epoch) a record's timestamp value stands for, read
 * in the given form; NaN when the value is not in that form or no real time.
 */
export function readTimestamp(value: unknown, type: TimestampType, zone: TimeZone = UTC): number {
  switch (type) {
    case 'epoch-seconds':
      return epoch(value, 1000);
    case 'epoch-millis':
      return epoch(value, 1);
    case 'datetime': {
      const parts = typeof value === 'string' ? ISO_ZONED.exec(value) : null;
      return parts ? wallMs(parts) - zoneOffsetMs(parts[8] ?? 'Z') : NaN;
    }
    case 'datetime-local': {
      const parts = typeof value === 'string' ? ISO_LOCAL.exec(value) : null;
      const wall = parts ? wallMs(parts) : NaN;
      return Number.isNaN(wall) ? NaN : fromWallMs(wall, zone);
    }
    case 'date': {
      const parts = typeof value === 'string' ? ISO_DATE.exec(value) : null;
      const wall = parts ? wallMs(parts) : NaN;
      return Number.isNaN(wall) ? NaN : fromWallMs(wall, zone);
    }
  }
}

/** What a value of the form looks like, for messages. */
export const TIMESTAMP_EXAMPLES: Record<TimestampType, string> = {
  datetime: 'an ISO datetime with a zone, e.g. "2024-07-01T10:00:00Z" or "2024-07-01T12:00:00+02:00"',
  'datetime-local': 'an ISO datetime without a zone, e.g. "2024-07-01T10:00:00"',
  date: 'an ISO date, e.g. "2024-07-01"',
  'epoch-seconds': 'seconds since 1970-01-01T00:00:00Z, e.g. 1719828000 or "1719828000"',
  'epoch-millis': 'milliseconds since 1970-01-01T00:00:00Z, e.g. 1719828000000 or "1719828000000"',
};
