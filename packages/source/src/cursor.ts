import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  type CursorPage,
  type CursorPosition,
  type CursorResume,
  type EndpointConfig,
  exactId,
  type Pagination,
  PermanentError,
  scalarTextAt,
  type Window,
} from '@rdc/contracts';
import { describeValue, getPath } from './json-path.js';
import { findLink, parseLinkHeader } from './link-header.js';
import { type ApiRecord, readRecords } from './records.js';
import { redactUrl } from './redact.js';
import { baseUrlVariable } from './base-url.js';
import { applyWindow, endpointUrl } from './request-url.js';
import type { ParseBody } from './request.js';
import { ShapeError } from './shape-error.js';
import type { RawResponse } from './transport.js';

type CursorPagination = Extract<Pagination, { style: 'link-header' | 'body-cursor' | 'starting-after' }>;

export function isCursorStyle(p: Pagination): p is CursorPagination {
  return p.style === 'link-header' || p.style === 'body-cursor' || p.style === 'starting-after';
}

export interface CursorWalk {
  baseUrl: URL;
  endpointName: string;
  endpoint: EndpointConfig;
  pagination: CursorPagination;
  /** `service/endpoint`, for messages. */
  what: string;
  /** The service's name, for the variable in messages. */
  service: string;
  get<T>(url: URL, page: number, parse: ParseBody<T>): Promise<{ value: T; response: RawResponse }>;
  /** The query parameter that carries the API key (added as each request leaves), and the secrets no saved position may hold. */
  credentials?: { param: string | undefined; secrets: readonly string[] };
}

/** Where the next page is: a URL to follow (maybe relative) or a cursor for `cursorParam`. */
type Next = { kind: 'url'; raw: string } | { kind: 'cursor'; value: string };

interface Step {
  records: ApiRecord[];
  next: Next | undefined;
}

export function requestIdOf(headers: IncomingHttpHeaders): string | undefined {
  const value = headers['x-request-id'];
  return (Array.isArray(value) ? value[0] : value) || undefined;
}

function parseStep(walk: CursorWalk, body: unknown, response: RawResponse): Step {
  const { endpoint, endpointName: name, pagination: p } = walk;
  const records = readRecords(body, endpoint.response.records, `endpoints.${name}.response.records`, response.body);
  if (p.style === 'link-header') {
    const next = findLink(parseLinkHeader(response.headers.link), 'next');
    return { records, next: next ? { kind: 'url', raw: next.uri } : undefined };
  }
  if (p.style === 'body-cursor') {
    const value = getPath(body, p.nextPath);
    if (value === undefined || value === null || value === '') return { records, next: undefined };
    if (typeof value === 'string') {
      return { records, next: p.cursorParam ? { kind: 'cursor', value } : { kind: 'url', raw: value } };
    }
    if (typeof value === 'number' && p.cursorParam) {
      // The literal as sent: a 64-bit cursor would be rounded by its parsed value.
      const exact = scalarTextAt(response.body, p.nextPath) ?? String(value);
      return { records, next: { kind: 'cursor', value: exact } };
    }
    throw new ShapeError(
      `expected the next ${p.cursorParam ? 'cursor' : 'URL'} at "${p.nextPath}" to be a string or null, got ${describeValue(value)}`,
      `endpoints.${name}.pagination.nextPath`,
    );
  }
  const hasMore = getPath(body, p.hasMorePath);
  if (typeof hasMore !== 'boolean') {
    throw new ShapeError(
      `expected a boolean at "${p.hasMorePath}" in the response body, got ${describeValue(hasMore)}`,
      `endpoints.${name}.pagination.hasMorePath`,
    );
  }
  if (!hasMore) return { records, next: undefined };
  const last = records.at(-1);
  if (last === undefined) {
    throw new PermanentError(
      `${walk.what}: a page came back empty with ${p.hasMorePath} true. ${p.cursorParam} continues after the last ` +
        `record's id, and an empty page has none, so the walk cannot go on without skipping or repeating records. ` +
        `The API's pagination is broken for this window; resume the run once it serves every page with records.`,
    );
  }
  const id = last[endpoint.idField];
  if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) {
    throw new PermanentError(
      `${walk.what}: the last record of the page has ${describeValue(id)} in its id field "${endpoint.idField}", ` +
        `so there is no cursor for ${p.cursorParam}. Check endpoints.${name}.idField in the service config.`,
    );
  }
  return { records, next: { kind: 'cursor', value: exactId(last, endpoint.idField) } };
}

/**
 * The URL of the next page. A cursor goes on the first request's URL (same
 * window filter and page size, as Stripe-style APIs require); a next link is
 * followed exactly as the API gave it, since APIs such as Shopify's answer 400
 * when a filter is added to one. A link to another origin is refused before
 * anything is sent there.
 */
function nextUrl(walk: CursorWalk, next: Next, first: URL, current: URL): URL {
  const p = walk.pagination;
  if (next.kind === 'cursor') {
    const url = new URL(first.href);
    if (p.style !== 'link-header' && p.cursorParam) url.searchParams.set(p.cursorParam, next.value);
    return url;
  }
  let url: URL;
  try {
    url = new URL(next.raw, current);
  } catch {
    throw new PermanentError(
      `${walk.what}: the API's next link ${JSON.stringify(redactUrl(next.raw))} is not a valid URL; cannot continue the walk.`,
    );
  }
  if (url.origin !== walk.baseUrl.origin) {
    throw new PermanentError(
      `${walk.what}: the API's next link points to ${url.origin}, not ${walk.baseUrl.origin}; refusing to send the API key ` +
        `to another origin. If the API really moved, set baseUrl (or ${baseUrlVariable(walk.service)}) to ${url.origin}.`,
    );
  }
  url.hash = '';
  // The key goes on as the request leaves; a next link that echoes it must not carry it further.
  const param = walk.credentials?.param;
  if (param !== undefined && url.searchParams.has(param)) url.searchParams.delete(param);
  return url;
}

/** The loop key of a request: a digest of its path and query (the origin is always the base URL's). */
const requestKey = (url: URL): string =>
  createHash('sha256').update(`${url.pathname}${url.search}`).digest('hex').slice(0, 16);

/** Where a later walk can continue after response `page`, or undefined when the next request would carry a secret. */
function positionAfter(walk: CursorWalk, page: number, next: Next, url: URL, key: string): CursorPosition | undefined {
  const value = next.kind === 'cursor' ? next.value : `${url.pathname}${url.search}`;
  if (walk.credentials?.secrets.some((secret) => secret !== '' && value.includes(secret))) return undefined;
  return { page, next: { kind: next.kind, value }, key };
}

/** The first request of a resumed walk: its saved cursor on the first URL, or its saved next link. */
function resumeUrl(walk: CursorWalk, from: CursorPosition, first: URL): URL {
  const next: Next =
    from.next.kind === 'cursor' ? { kind: 'cursor', value: from.next.value } : { kind: 'url', raw: from.next.value };
  return nextUrl(walk, next, first, first);
}

/** The next page as messages show it: the cursor value, or the next link without secrets. */
function describeNext(next: Next, url: URL): string {
  return next.kind === 'cursor' ? next.value : redactUrl(`${url.pathname}${url.search}`);
}

/**
 * Follows the cursor inside one window: yields every page (1-based), empty ones
 * too, since APIs that filter after paginating return empty pages mid-stream
 * with a next link, cursor or `has_more` all the same. Stops on a missing next
 * link or cursor, or `has_more` false. A cursor or URL seen twice is a
 * PermanentError, so a buggy API cannot loop us; how many pages a walk may take
 * is the caller's bound (each page says where the walk goes next, and where a
 * later walk can resume). `resume` continues at a saved position, numbering
 * pages on from it, with the loop keys of the walk so far.
 */
export async function* walkCursorPages(
  walk: CursorWalk,
  window: Window,
  pageSize: number,
  resume?: CursorResume,
): AsyncGenerator<CursorPage> {
  const first = applyWindow(endpointUrl(walk.baseUrl, walk.endpoint), walk.endpoint, window);
  first.searchParams.set(walk.pagination.sizeParam, String(pageSize));
  const seen = new Set<string>([requestKey(first), ...(resume?.seen ?? [])]);
  let url = resume ? resumeUrl(walk, resume.from, first) : first;
  for (let page = (resume?.from.page ?? 0) + 1; ; page++) {
    const { value: step, response } = await walk.get(url, page, (body, res) => parseStep(walk, body, res));
    const requestId = requestIdOf(response.headers);
    if (!step.next) {
      yield { page, records: step.records, total: undefined, requestId, next: undefined };
      return;
    }
    const nextPage = nextUrl(walk, step.next, first, url);
    const key = requestKey(nextPage);
    const looping = seen.has(key);
    const resumeAt = looping ? undefined : positionAfter(walk, page, step.next, nextPage, key);
    const next = describeNext(step.next, nextPage);
    yield { page, records: step.records, total: undefined, requestId, next, resumeAt, ...(looping && { loops: true }) };
    url = nextPage;
    if (looping) {
      throw new PermanentError(
        `${walk.what}: after page ${page} the API sent a ${step.next.kind === 'cursor' ? 'cursor' : 'next link'} it had ` +
          `already sent (${redactUrl(url)}); stopping so the walk cannot loop. The API's pagination is broken for this window.`,
        { page, path: redactUrl(`${url.pathname}${url.search}`) },
      );
    }
    seen.add(key);
  }
}
