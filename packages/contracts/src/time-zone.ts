/**
 * A time zone an API speaks in: `UTC`, a fixed offset such as `+02:00`, or an
 * IANA name such as `Europe/Berlin` (daylight saving time included, from the
 * runtime's own time zone data).
 */
export interface TimeZone {
  /** As configured, e.g. `Europe/Berlin`. */
  readonly name: string;
  /** Minutes to add to UTC to get the wall-clock time at instant `utcMs`. */
  offsetMinutes(utcMs: number): number;
}

const FIXED_OFFSET = /^([+-])(\d{2}):(\d{2})$/;
const MINUTE_MS = 60_000;

export const UTC: TimeZone = { name: 'UTC', offsetMinutes: () => 0 };

function fixed(name: string, minutes: number): TimeZone {
  return { name, offsetMinutes: () => minutes };
}

function iana(name: string): TimeZone | undefined {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return undefined;
  }
  return {
    name,
    offsetMinutes(utcMs) {
      const parts = new Map<string, string>(format.formatToParts(new Date(utcMs)).map((p) => [p.type, p.value]));
      const part = (type: string) => Number(parts.get(type));
      const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
      const whole = utcMs - (((utcMs % 1000) + 1000) % 1000);
      return Math.round((wall - whole) / MINUTE_MS);
    },
  };
}

/**
 * Parses `UTC` (or `Z`), `±HH:MM`, or an IANA zone name; undefined for
 * anything else.
 */
export function parseTimeZone(value: string): TimeZone | undefined {
  // One formatter per zone name: building one costs far more than using it.
  if (zones.has(value)) return zones.get(value);
  const zone = parseZone(value);
  if (zones.size < 1000) zones.set(value, zone);
  return zone;
}

const zones = new Map<string, TimeZone | undefined>();

function parseZone(value: string): TimeZone | undefined {
  if (value === 'UTC' || value === 'Z' || value === 'Etc/UTC') return UTC;
  const offset = FIXED_OFFSET.exec(value);
  if (offset) {
    const [, sign, hh, mm] = offset;
    const minutes = Number(hh) * 60 + Number(mm);
    if (Number(hh) > 23 || Number(mm) > 59) return undefined;
    return fixed(value, sign === '-' ? -minutes : minutes);
  }
  // Only names shaped like IANA zones reach Intl, which also knows odd aliases.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/.test(value)) return undefined;
  return iana(value);
}

/** The wall-clock time at `utcMs` in `zone`, as milliseconds of a UTC clock showing it. */
export function toWallMs(utcMs: number, zone: TimeZone): number {
  return utcMs + zone.offsetMinutes(utcMs) * MINUTE_MS;
}

/**
 * The instant a wall-clock time (given as milliseconds of a UTC clock showing
 * it) stands for in `zone`. A time the clocks skipped (spring forward) maps to
 * the instant it would be with the offset before the change; a time that
 * happens twice (fall back) to its first occurrence.
 */
export function fromWallMs(wallMs: number, zone: TimeZone): number {
  const first = wallMs - zone.offsetMinutes(wallMs) * MINUTE_MS;
  const second = wallMs - zone.offsetMinutes(first) * MINUTE_MS;
  if (second === first) {
    // Fall back: the same wall time an hour earlier may exist too; take the earlier instant.
    const earlier = wallMs - zone.offsetMinutes(first - 3_600_000) * MINUTE_MS;
    return toWallMs(earlier, zone) === wallMs ? Math.min(earlier, first) : first;
  }
  return toWallMs(second, zone) === wallMs ? second : Math.max(first, second);
}

/** `+02:00`, `-04:00`, `+00:00`. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
