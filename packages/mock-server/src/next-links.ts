import { ApiError } from './api-error.js';
import type { MockApiOptions } from './options.js';

export type LinkOptions = Pick<MockApiOptions, 'strictLinks' | 'queryKey' | 'queryKeyParam'>;

interface PageInfo {
  /** Window bounds as the first request gave them (absent: open). */
  start?: string;
  end?: string;
  cursor: string;
}

const encode = (info: PageInfo): string => Buffer.from(JSON.stringify(info)).toString('base64url');

function decode(raw: string): PageInfo | undefined {
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(raw)) return undefined;
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString()) as Partial<PageInfo>;
    if (typeof value.cursor !== 'string') return undefined;
    const bound = (b: unknown): boolean => b === undefined || typeof b === 'string';
    return bound(value.start) && bound(value.end) ? (value as PageInfo) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A next link (Link header or body URL) to the page after `cursor`. In strict
 * mode (Shopify-style) it carries only `limit` and an opaque `page_info` that
 * holds the window; otherwise it repeats the request's query with `cursor` set.
 */
export function nextLinkUrl(
  o: LinkOptions,
  selfUrl: string,
  query: URLSearchParams,
  cursor: string,
  limit: number,
): string {
  const next = new URLSearchParams();
  if (o.strictLinks) {
    const info: PageInfo = { cursor };
    const start = query.get('start_date');
    const end = query.get('end_date');
    if (start) info.start = start;
    if (end) info.end = end;
    next.set('limit', String(limit));
    next.set('page_info', encode(info));
  } else {
    for (const [name, value] of query)
      if (!(o.queryKey !== undefined && name === o.queryKeyParam)) next.append(name, value);
    next.set('limit', String(limit));
    next.set('cursor', cursor);
  }
  return `${selfUrl}?${next.toString()}`;
}

/**
 * The query a request means: a `page_info` request is expanded to the window
 * and cursor it encodes. In strict mode any parameter beside `page_info` and
 * `limit` (and the query key) next to `page_info` is a 400, as Shopify answers.
 */
export function expandPageInfo(o: LinkOptions, query: URLSearchParams): URLSearchParams {
  const raw = query.get('page_info');
  if (raw === null) return query;
  const allowed = new Set(['page_info', 'limit', ...(o.queryKey !== undefined ? [o.queryKeyParam] : [])]);
  const extra = [...new Set(query.keys())].filter((name) => !allowed.has(name));
  if (o.strictLinks && extra.length > 0) {
    throw ApiError.badRequest(
      'invalid_parameter',
      `page_info cannot be combined with ${extra.join(', ')}: a page_info link carries its own filters; send only page_info and limit`,
      extra[0],
    );
  }
  const info = decode(raw);
  if (!info)
    throw ApiError.badRequest(
      'invalid_cursor',
      `page_info is not one this API issued: ${JSON.stringify(raw)}`,
      'page_info',
    );
  const expanded = new URLSearchParams();
  if (info.start !== undefined) expanded.set('start_date', info.start);
  if (info.end !== undefined) expanded.set('end_date', info.end);
  expanded.set('cursor', info.cursor);
  const limit = query.get('limit');
  if (limit !== null) expanded.set('limit', limit);
  return expanded;
}
