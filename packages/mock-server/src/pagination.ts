import { ApiError } from './api-error.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from './options.js';
import type { MockApiOptions } from './options.js';
import { nextLinkUrl } from './next-links.js';
import { intParam, sizeParam } from './query.js';
import type { Table } from './table.js';

/** One data request, after routing and window filtering. */
export interface PageRequest {
  table: Table;
  /** Bounds [lo, hi) of the request's window in the table. */
  lo: number;
  hi: number;
  query: URLSearchParams;
  /** Absolute URL of the endpoint without query, for `Link` headers. */
  selfUrl: string;
}

export interface PageResponse {
  headers: Record<string, string>;
  body: string;
}

export type Paginator = (request: PageRequest) => PageResponse;

type StyleOptions = Pick<
  MockApiOptions,
  | 'pagination'
  | 'firstPage'
  | 'totalIn'
  | 'bareArray'
  | 'recordsPath'
  | 'maxOffset'
  | 'bodyNext'
  | 'strictLinks'
  | 'queryKey'
  | 'queryKeyParam'
>;

/** The paginator of the configured style; each walks the window in its stable order. */
export function createPaginator(options: StyleOptions): Paginator {
  const path = options.bareArray ? [] : options.recordsPath.split('.').filter(Boolean);
  const body = (records: string, extras: Record<string, unknown> = {}): string => shapeBody(records, extras, path);
  const checkOffset = (offset: number, param: string): void => {
    if (options.maxOffset !== undefined && offset > options.maxOffset) {
      throw ApiError.badRequest(
        'offset_too_deep',
        `offset ${offset} is beyond the deepest offset served (${options.maxOffset}); narrow the window with start_date/end_date`,
        param,
      );
    }
  };
  switch (options.pagination) {
    case 'offset':
      return ({ table, lo, hi, query }) => {
        const limit = sizeParam(query, 'limit', DEFAULT_LIMIT, MAX_LIMIT);
        const offset = intParam(query, 'offset', 0);
        checkOffset(offset, 'offset');
        const from = Math.min(hi, lo + offset);
        const records = table.jsonArray(from, Math.min(hi, from + limit));
        return { headers: {}, body: body(records, { total: hi - lo, limit, offset }) };
      };
    case 'page':
      return ({ table, lo, hi, query }) => {
        const perPage = sizeParam(query, 'per_page', DEFAULT_LIMIT, MAX_LIMIT);
        const page = intParam(query, 'page', options.firstPage, options.firstPage);
        const offset = (page - options.firstPage) * perPage;
        checkOffset(offset, 'page');
        const from = Math.min(hi, lo + offset);
        const records = table.jsonArray(from, Math.min(hi, from + perPage));
        const total = hi - lo;
        const headers: Record<string, string> = {};
        if (options.totalIn === 'x-total-count') headers['X-Total-Count'] = String(total);
        if (options.totalIn === 'wp') {
          headers['X-WP-Total'] = String(total);
          headers['X-WP-TotalPages'] = String(Math.ceil(total / perPage));
        }
        const extras = options.totalIn === 'body' ? { total, page, per_page: perPage } : { page, per_page: perPage };
        return { headers, body: body(records, path.length === 0 ? {} : extras) };
      };
    case 'link-header':
      return (request) => {
        const { from, to, limit } = cursorSlice(request, 'cursor');
        const headers: Record<string, string> = {};
        if (to < request.hi) {
          const next = nextLinkUrl(options, request.selfUrl, request.query, encodeCursor(request.table, to - 1), limit);
          headers['Link'] = `<${next}>; rel="next"`;
        }
        return { headers, body: body(request.table.jsonArray(from, to)) };
      };
    case 'body-cursor':
      return (request) => {
        const { from, to, limit } = cursorSlice(request, 'cursor');
        const cursor = to < request.hi ? encodeCursor(request.table, to - 1) : null;
        const extras =
          options.bodyNext === 'url'
            ? { next: cursor === null ? null : nextLinkUrl(options, request.selfUrl, request.query, cursor, limit) }
            : { next_cursor: cursor };
        return { headers: {}, body: body(request.table.jsonArray(from, to), extras) };
      };
    case 'starting-after':
      return (request) => {
        const { table, lo, hi, query } = request;
        const limit = sizeParam(query, 'limit', DEFAULT_LIMIT, MAX_LIMIT);
        const after = query.get('starting_after');
        let from = lo;
        if (after !== null && after !== '') {
          const ts = table.timestampOf(after);
          if (ts === undefined) {
            throw ApiError.badRequest(
              'invalid_parameter',
              `starting_after: no record has id ${JSON.stringify(after)}`,
              'starting_after',
            );
          }
          from = Math.min(hi, Math.max(lo, table.after(ts, after)));
        }
        const to = Math.min(hi, from + limit);
        return { headers: {}, body: body(table.jsonArray(from, to), { has_more: to < hi }) };
      };
  }
}

/** The slice a cursor request asks for: from the cursor's position (or the window start), `limit` rows. */
function cursorSlice(
  { table, lo, hi, query }: PageRequest,
  param: string,
): { from: number; to: number; limit: number } {
  const limit = sizeParam(query, 'limit', DEFAULT_LIMIT, MAX_LIMIT);
  const raw = query.get(param);
  let from = lo;
  if (raw !== null && raw !== '') {
    const key = decodeCursor(raw);
    if (!key)
      throw ApiError.badRequest(
        'invalid_cursor',
        `${param} is not a cursor this API issued: ${JSON.stringify(raw)}`,
        param,
      );
    from = Math.min(hi, Math.max(lo, table.after(key.ts, key.id)));
  }
  return { from, to: Math.min(hi, from + limit), limit };
}

/**
 * Cursors name the last record served by its place in the stable order
 * (timestamp, id), so they stay correct when records are inserted elsewhere.
 */
export function encodeCursor(table: Table, index: number): string {
  const row = table.row(index);
  return Buffer.from(`${row.ts}.${row.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { ts: number; id: string } | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const match = /^(-?\d{1,16})\.([\w-]{1,64})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) return undefined;
  return { ts: Number(match[1]), id: match[2] ?? '' };
}

/** Puts the records array at `path` (the body itself when empty) with `extras` at the top level. */
function shapeBody(records: string, extras: Record<string, unknown>, path: readonly string[]): string {
  if (path.length === 0) return records;
  let out = '';
  for (const key of path) out += `{${JSON.stringify(key)}:`;
  out += records + '}'.repeat(path.length - 1);
  const rest = JSON.stringify(extras).slice(1, -1);
  return out + (rest ? `,${rest}}` : '}');
}
