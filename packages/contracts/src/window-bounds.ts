import { ConfigError } from './errors.js';
import { formatOffset, fromWallMs, type TimeZone, toWallMs, UTC } from './time-zone.js';

/**
 * How an API wants the window's bounds written:
 *
 *   iso            `2024-07-01T00:00:00Z` (`.000` when the resolution is finer than a second)
 *   iso-offset     `2024-07-01T02:00:00+02:00`: the wall time in `timeZone` with its offset
 *   iso-local      `2024-07-01T02:00:00`: the wall time in `timeZone`, no zone
 *   date           `2024-07-01`: the date in `timeZone`
 *   epoch-seconds  `1719792000`
 *   epoch-millis   `1719792000000`
 */
export const BOUND_FORMATS = ['iso', 'iso-offset', 'iso-local', 'date', 'epoch-seconds', 'epoch-millis'] as const;
export type BoundFormat = (typeof BOUND_FORMATS)[number];
export type BoundKind = 'inclusive' | 'exclusive';

const SECOND_MS = 1000;
const DAY_MS = 86_400_000;

/** The step of the values a format can write at all: whole seconds for epoch seconds, whole days for a date. */
export function formatStepMs(format: BoundFormat): number {
  return format === 'date' ? DAY_MS : format === 'epoch-seconds' ? SECOND_MS : 1;
}

export interface BoundSpec {
  format: BoundFormat;
  start: BoundKind;
  end: BoundKind;
  /** The smallest step of the API's timestamps and filter, in ms (1000 for whole seconds). */
  resolutionMs: number;
  zone: TimeZone;
  /** e.g. `endpoints.orders.params`, for messages. */
  where?: string;
}

/**
 * The instants to send for a half-open window [start, end), so that the API's
 * own comparison selects exactly the records in it: an exclusive start goes
 * one step (the resolution) earlier (`after = start − 1 s`), an inclusive end
 * one step earlier (`created_at_max = end − 1 s`). Both bounds must lie on the
 * resolution's grid (in the zone, for zoned formats), or no value asks for
 * exactly the window.
 */
export function boundInstants(window: { start: Date; end: Date }, spec: BoundSpec): { start: number; end: number } {
  const step = spec.resolutionMs;
  const zone = spec.format === 'iso' || spec.format.startsWith('epoch') ? UTC : spec.zone;
  for (const [name, at] of [
    ['start', window.start],
    ['end', window.end],
  ] as const) {
    const wall = toWallMs(at.getTime(), zone);
    if (((wall % step) + step) % step !== 0) {
      throw new ConfigError(
        `The window ${name} ${at.toISOString()} is not on a whole step of ${step} ms` +
          `${zone === UTC ? '' : ` in time zone ${zone.name}`}, the resolution of ${spec.where ?? 'the endpoint params'}; ` +
          'the API cannot be asked for exactly this window. Use window bounds (--start-date, --end-date, --slice) on that step.',
      );
    }
  }
  // A step of whole days is a step of the zone's calendar: across a clock change a
  // day is 23 or 25 hours, and 24 hours back from midnight is not the previous midnight.
  const back = (at: Date): number =>
    step % DAY_MS === 0 ? fromWallMs(toWallMs(at.getTime(), zone) - step, zone) : at.getTime() - step;
  return {
    start: spec.start === 'exclusive' ? back(window.start) : window.start.getTime(),
    end: spec.end === 'inclusive' ? back(window.end) : window.end.getTime(),
  };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function wallIso(wallMs: number, withMs: boolean): string {
  const d = new Date(wallMs);
  const year = d.getUTCFullYear();
  const date = `${year < 0 ? '-' : ''}${pad(Math.abs(year), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${date}T${time}${withMs ? `.${pad(d.getUTCMilliseconds(), 3)}` : ''}`;
}

/** One bound instant written as the API wants it. */
export function formatBound(utcMs: number, spec: Pick<BoundSpec, 'format' | 'resolutionMs' | 'zone'>): string {
  const withMs = spec.resolutionMs % SECOND_MS !== 0;
  switch (spec.format) {
    case 'epoch-seconds':
      return String(Math.floor(utcMs / SECOND_MS));
    case 'epoch-millis':
      return String(utcMs);
    case 'iso':
      return `${wallIso(utcMs, withMs)}Z`;
    case 'iso-local':
      return wallIso(toWallMs(utcMs, spec.zone), withMs);
    case 'iso-offset':
      return `${wallIso(toWallMs(utcMs, spec.zone), withMs)}${formatOffset(spec.zone.offsetMinutes(utcMs))}`;
    case 'date':
      return wallIso(toWallMs(utcMs, spec.zone), false).slice(0, 10);
  }
}

/** The start and end parameter values for the window [start, end). */
export function boundValues(window: { start: Date; end: Date }, spec: BoundSpec): { start: string; end: string } {
  const { start, end } = boundInstants(window, spec);
  return { start: formatBound(start, spec), end: formatBound(end, spec) };
}
