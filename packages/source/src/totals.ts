import type { IncomingHttpHeaders } from 'node:http';
import type { TotalLocation } from '@rdc/contracts';
import { describeValue, getPath } from './json-path.js';
import { ShapeError } from './shape-error.js';

/** What the API reported: a number of items, or a number of pages. */
export interface ReportedTotal {
  of: 'items' | 'pages';
  value: number;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const raw = headers[name.toLowerCase()];
  return Array.isArray(raw) ? raw[0] : raw;
}

/**
 * Reads the total from a JSON path in the body or from a header
 * (`X-Total-Count`, `X-WP-Total`, `X-WP-TotalPages`). It must be a
 * non-negative integer; anything else is a ShapeError.
 */
export function readTotal(
  location: TotalLocation,
  body: unknown,
  headers: IncomingHttpHeaders,
  configField: string,
): ReportedTotal {
  if (location.from === 'body') {
    const value = getPath(body, location.path);
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return { of: location.of, value };
    throw new ShapeError(
      `expected a non-negative integer total at "${location.path}" in the response body, got ${describeValue(value)}`,
      configField,
    );
  }
  const text = headerValue(headers, location.name)?.trim();
  if (text !== undefined && /^\d{1,15}$/.test(text)) return { of: location.of, value: Number(text) };
  throw new ShapeError(
    `expected a non-negative integer in the ${location.name} header, got ${text === undefined ? 'no header' : JSON.stringify(text.slice(0, 40))}`,
    configField,
  );
}

/** Pages of `pageSize` for a reported total: ceil(items / pageSize), or the API's own page count. */
export function pagesFor(total: ReportedTotal, pageSize: number): number {
  return total.of === 'pages' ? total.value : Math.ceil(total.value / pageSize);
}
