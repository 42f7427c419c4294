import type { IncomingHttpHeaders } from 'node:http';
import { MAX_PAGE_SIZE } from '@rdc/contracts';
import { findLink, parseLinkHeader } from './link-header.js';
import type { QueryFacts } from './probe-query.js';
import { redactUrl } from './redact.js';

/** A value the probe could not decide: the draft holds this text, which the loader refuses. */
export type Gap = (what: string) => string;

/** What one response says about paging: the draft's `pagination` and `response.total`, and why. */
export interface PaginationFinding {
  pagination: Record<string, unknown>;
  total: Record<string, unknown> | undefined;
  /** One line each: what was seen and what it means. */
  evidence: string[];
}

/** A value at a dotted path of the body, found by its key's name (up to three levels, records left out). */
interface Found {
  path: string;
  value: unknown;
}

function findKeys(body: unknown, test: (key: string, value: unknown) => boolean, skip: string): Found[] {
  const out: Found[] = [];
  const walk = (value: unknown, prefix: string, depth: number) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || depth > 2) return;
    for (const [key, inner] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (path === skip) continue;
      if (test(key, inner)) out.push({ path, value: inner });
      walk(inner, path, depth + 1);
    }
  };
  walk(body, '', 0);
  return out;
}

const HAS_MORE = /^(has_?more|has_?next(_?page)?|more)$/i;
const NEXT = /next/i;
const ITEMS_TOTAL = /^(total|total_?count|count|total_?items|total_?results|total_?records)$/i;
const PAGES_TOTAL = /^(total_?pages|page_?count|pages|last_?page)$/i;
const ITEMS_HEADERS = ['x-total-count', 'x-wp-total', 'x-total', 'x-total-items', 'x-total-results'];
const PAGES_HEADERS = ['x-wp-totalpages', 'x-total-pages', 'x-page-count'];
/** Header names as APIs spell them, for the draft. */
const SPELLED: ReadonlyMap<string, string> = new Map([
  ['x-wp-total', 'X-WP-Total'],
  ['x-wp-totalpages', 'X-WP-TotalPages'],
]);
const spell = (h: string) =>
  SPELLED.get(h) ?? h.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => `${d}${c.toUpperCase()}`);

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const raw = headers[name];
  return (Array.isArray(raw) ? raw[0] : raw)?.trim();
};
const isCount = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Where the response gives a total, items preferred over pages; body before headers. */
function findTotal(body: unknown, headers: IncomingHttpHeaders, records: string, evidence: string[]) {
  const inBody = (re: RegExp) => findKeys(body, (k, v) => re.test(k) && isCount(v), records)[0];
  const inHeaders = (names: string[]) => names.find((h) => /^\d+$/.test(header(headers, h) ?? ''));
  const items = inBody(ITEMS_TOTAL);
  if (items) {
    evidence.push(`total: ${String(items.value)} records in the body at "${items.path}"`);
    return { from: 'body', path: items.path };
  }
  const itemsHeader = inHeaders(ITEMS_HEADERS);
  if (itemsHeader) {
    evidence.push(`total: ${spell(itemsHeader)}: ${header(headers, itemsHeader)} (records)`);
    return { from: 'header', name: spell(itemsHeader) };
  }
  const pages = inBody(PAGES_TOTAL);
  if (pages) {
    evidence.push(`total: ${String(pages.value)} pages in the body at "${pages.path}"`);
    return { from: 'body', path: pages.path, of: 'pages' };
  }
  const pagesHeader = inHeaders(PAGES_HEADERS);
  if (pagesHeader) {
    evidence.push(`total: ${spell(pagesHeader)}: ${header(headers, pagesHeader)} (pages)`);
    return { from: 'header', name: spell(pagesHeader), of: 'pages' };
  }
  return undefined;
}

/**
 * The pagination of an endpoint from its first page: the URL's page or offset parameter with a
 * total (planned up front), else a `Link: rel="next"` header, a `has_more` flag, or a next
 * cursor or URL in the body. What one page cannot show is a gap.
 */
export function detectPagination(
  query: QueryFacts,
  body: unknown,
  headers: IncomingHttpHeaders,
  records: { path: string; count: number },
  gap: Gap,
): PaginationFinding {
  const evidence: string[] = [];
  const size = query.size;
  let pageSize: number | string = gap(
    `records per page (1-${MAX_PAGE_SIZE}); add the API's page-size parameter to --url to let probe read it`,
  );
  if (size) {
    pageSize = Math.min(Number(size.value), MAX_PAGE_SIZE);
    evidence.push(
      `page size: ${size.name}=${size.value}${Number(size.value) > MAX_PAGE_SIZE ? ` (the connector asks for at most ${MAX_PAGE_SIZE})` : ''}`,
    );
  }
  const sizeName = (key: string) => ({
    [key]: size?.name ?? gap('the query parameter that carries the page size, e.g. "limit"'),
  });
  const total = findTotal(body, headers, records.path, evidence);
  const echoed = (re: RegExp) => findKeys(body, (k, v) => re.test(k) && (v === 0 || v === 1), records.path)[0];

  const offset = query.offset ?? (query.page ? undefined : asParam(echoed(/^(offset|skip)$/i)));
  const page = query.page ?? (query.offset ? undefined : asParam(echoed(/^page$/i)));
  if (offset && total) {
    evidence.push(`offset: ${offset.name}=${offset.value}${query.offset ? ' in the URL' : ' echoed in the body'}`);
    return {
      pagination: { style: 'offset', pageSize, ...sizeName('limitParam'), offsetParam: offset.name },
      total,
      evidence,
    };
  }
  if (page && total) {
    const first = Number(page.value);
    evidence.push(`page numbers: ${page.name}=${page.value}${query.page ? ' in the URL' : ' echoed in the body'}`);
    return {
      pagination: {
        style: 'page',
        pageSize,
        pageParam: page.name,
        ...sizeName('sizeParam'),
        firstPage:
          first === 0 || first === 1
            ? first
            : gap(`0 or 1: the number of the first page (the URL asked for ${page.name}=${page.value})`),
      },
      total,
      evidence,
    };
  }
  const next = findLink(parseLinkHeader(headers.link), 'next');
  if (next) {
    const shown = redactUrl(next.uri);
    evidence.push(`Link header: rel="next" <${shown.length > 80 ? `${shown.slice(0, 77)}...` : shown}>`);
    return { pagination: { style: 'link-header', pageSize, ...sizeName('sizeParam') }, total: undefined, evidence };
  }
  const hasMore = findKeys(body, (k, v) => HAS_MORE.test(k) && typeof v === 'boolean', records.path)[0];
  const counted = query.page ?? query.offset;
  if (hasMore && counted) {
    evidence.push(`has_more: "${hasMore.path}" beside ${counted.name}=${counted.value} in the URL, and no total`);
    return {
      pagination: {
        style: gap(
          `page numbers with has_more and no total, which the connector cannot plan; if the API gives a total, set "page" or "offset" and response.total, or page it by the last id ("starting-after")`,
        ),
        pageSize,
      },
      total: undefined,
      evidence,
    };
  }
  if (hasMore) {
    evidence.push(
      `has_more: "${hasMore.path}" is ${String(hasMore.value)}; the next page starts after the last record's id, sent as starting_after (Stripe's name; change cursorParam if the API's differs)`,
    );
    return {
      pagination: {
        style: 'starting-after',
        pageSize,
        ...sizeName('sizeParam'),
        cursorParam: 'starting_after',
        hasMorePath: hasMore.path,
      },
      total: undefined,
      evidence,
    };
  }
  const cursor = findKeys(body, (k, v) => NEXT.test(k) && (typeof v === 'string' || v === null), records.path)[0];
  if (cursor) {
    const url = typeof cursor.value === 'string' && /^(https?:\/\/|\/)/i.test(cursor.value);
    evidence.push(
      `next in the body: "${cursor.path}" holds ${cursor.value === null ? 'null' : url ? 'a URL' : 'a cursor'}`,
    );
    const cursorParam = url
      ? {}
      : {
          cursorParam: gap(
            cursor.value === null
              ? `the query parameter that carries "${cursor.path}", e.g. "cursor"; remove this key if "${cursor.path}" holds a full URL`
              : `the query parameter that sends "${cursor.path}" back, e.g. "cursor"`,
          ),
        };
    return {
      pagination: { style: 'body-cursor', pageSize, ...sizeName('sizeParam'), nextPath: cursor.path, ...cursorParam },
      total: undefined,
      evidence,
    };
  }
  if (total) evidence.push("no page or offset parameter in the URL or the body: add the first page's to --url");
  else
    evidence.push(
      `no sign of a next page (${records.count} records, no total, no Link header, no next cursor or has_more)`,
    );
  return {
    pagination: {
      style: gap(
        total
          ? 'offset or page: the response has a total; give --url the offset (offset=0) or page (page=1) parameter to decide'
          : 'one of offset, page, link-header, body-cursor, starting-after; probe a window with more records than one page',
      ),
      pageSize,
    },
    total,
    evidence,
  };
}

const asParam = (found: Found | undefined) =>
  found === undefined ? undefined : { name: found.path.split('.').at(-1)!, value: String(found.value) };
