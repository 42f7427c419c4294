import { ConfigError } from './errors.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Parses an ISO date (`2024-07-01`, midnight UTC) or datetime
 * (`2024-07-01T10:00:00Z`, `2024-07-01T12:00+02:00`; no offset means UTC).
 */
export function parseInstant(value: string, flag: string): Date {
  const date = DATE.exec(value);
  const datetime = date ? null : DATETIME.exec(value);
  const parts = date ?? datetime;
  if (!parts) {
    throw new ConfigError(
      `${flag} "${value}" is not an ISO date or datetime. Use e.g. 2024-07-01, 2024-07-01T10:00:00Z or 2024-07-01T12:00:00+02:00.`,
    );
  }
  const [, y, m, d] = parts;
  const iso = date ? `${value}T00:00:00Z` : /(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value}Z`;
  const parsed = new Date(iso);
  // Date rolls 2024-02-30 over to March; a calendar check catches it.
  const calendar = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (
    Number.isNaN(parsed.getTime()) ||
    calendar.getUTCFullYear() !== Number(y) ||
    calendar.getUTCMonth() !== Number(m) - 1 ||
    calendar.getUTCDate() !== Number(d) ||
    (datetime && (Number(datetime[4]) > 23 || Number(datetime[5]) > 59 || Number(datetime[6] ?? 0) > 59))
  ) {
    throw new ConfigError(`${flag} "${value}" is not a real date or time. Check the day, month and hour.`);
  }
  return parsed;
}

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses `15m`, `1h`, `1d` and the like into milliseconds. */
export function parseDuration(value: string, flag: string): number {
  const match = DURATION.exec(value);
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : 0;
  if (!match || ms <= 0) {
    throw new ConfigError(`${flag} "${value}" is not a duration. Use a positive number and a unit: 30s, 15m, 1h, 1d.`);
  }
  return ms;
}

/** `86400000` → `1d`, `5400000` → `90m`: the largest unit that divides `ms` evenly (the inverse of parseDuration). */
export function formatDuration(ms: number): string {
  const found = (['d', 'h', 'm', 's'] as const).find((unit) => ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0);
  return found ? `${ms / UNIT_MS[found]}${found}` : `${ms}ms`;
}
