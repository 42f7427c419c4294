import { ApiError } from './api-error.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Parses an ISO-8601 date (`2024-07-01`, UTC midnight) or datetime
 * (`2024-07-01T10:15:30.123Z`; no offset means UTC) into epoch ms.
 * Returns undefined for anything else, including impossible dates like 02-30.
 */
export function parseQueryInstant(text: string): number | undefined {
  const m = DATE.exec(text) ?? DATETIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const valid =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60;
  if (!valid) return undefined;
  const fraction = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const zone = m[8];
  let offsetMinutes = 0;
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const hours = Number(zone.slice(1, 3));
    const minutes = Number(zone.slice(4, 6));
    if (hours > 23 || minutes > 59) return undefined;
    offsetMinutes = sign * (hours * 60 + minutes);
  }
  return date.getTime() + fraction - offsetMinutes * 60_000;
}

/** A dotted JSON path such as `data` or `results.rows`. */
export function isPlainPath(path: string): boolean {
  return /^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)*$/.test(path);
}

/** The `[start, end)` window of a request in epoch ms; missing bounds are open. */
export function windowOf(query: URLSearchParams): { start: number; end: number } {
  const start = instantParam(query, 'start_date') ?? -Infinity;
  const end = instantParam(query, 'end_date') ?? Infinity;
  if (end < start) {
    throw ApiError.badRequest('invalid_parameter', `end_date must not be before start_date`, 'end_date');
  }
  return { start, end };
}

function instantParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const value = parseQueryInstant(raw);
  if (value === undefined) {
    throw ApiError.badRequest(
      'invalid_parameter',
      `${name} must be an ISO-8601 date (2024-07-01) or datetime (2024-07-01T10:15:30.123Z), got ${JSON.stringify(raw)}`,
      name,
    );
  }
  return value;
}

/** A non-negative integer query parameter, or `fallback` when absent. */
export function intParam(query: URLSearchParams, name: string, fallback: number, min = 0): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < min) {
    throw ApiError.badRequest(
      'invalid_parameter',
      `${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`,
      name,
    );
  }
  return Number(raw);
}

/** A page-size parameter: default 100, at most 250 (more gets 400 `limit_too_large`). */
export function sizeParam(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const size = intParam(query, name, fallback, 1);
  if (size > max) {
    throw ApiError.badRequest('limit_too_large', `${name} must be at most ${max}, got ${size}`, name);
  }
  return size;
}
