import {
  boundSpec,
  boundValues,
  type EndpointConfig,
  MAX_PAGE_SIZE,
  PermanentError,
  type Window,
} from '@rdc/contracts';

/** The endpoint's URL under the base URL (keeping a base path such as `/api/v1`) with its fixed query. */
export function endpointUrl(baseUrl: URL, endpoint: EndpointConfig): URL {
  const url = new URL(baseUrl.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${endpoint.path}`;
  url.search = '';
  url.hash = '';
  for (const [name, value] of Object.entries(endpoint.query)) url.searchParams.set(name, value);
  return url;
}

/**
 * Sets the window params on `url` (a slice's first request), written and shifted as the
 * endpoint's API reads them (`params.format`, `startBound`, `endBound`, `resolution`), so
 * the API selects exactly [start, end).
 */
export function applyWindow(url: URL, endpoint: EndpointConfig, window: Window): URL {
  const values = boundValues(window, boundSpec(endpoint));
  const params: [string, string][] = [
    [endpoint.params.start, values.start],
    [endpoint.params.end, values.end],
  ];
  for (const [name, value] of params) url.searchParams.set(name, value);
  return url;
}

/** Checks what the planner sends: a real [start, end) window and a sane page size. */
export function checkRequest(window: Window, pageSize: number, page = 1): void {
  const start = window.start.getTime();
  const end = window.end.getTime();
  if (Number.isNaN(start) || Number.isNaN(end) || start >= end) {
    throw new PermanentError(
      `Expected a window with start < end, got [${String(window.start)}, ${String(window.end)}). The task is malformed.`,
    );
  }
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new PermanentError(`Expected pageSize to be an integer in 1..${MAX_PAGE_SIZE}, got ${pageSize}.`);
  }
  if (!Number.isInteger(page) || page < 1) {
    throw new PermanentError(`Expected a 1-based page number, got ${page}.`);
  }
}

/** The URL of counted page `page` (1-based): offset = (page - 1) * pageSize, or the API's page number. */
export function countedPageUrl(
  baseUrl: URL,
  endpoint: EndpointConfig,
  window: Window,
  page: number,
  pageSize: number,
): URL {
  const url = applyWindow(endpointUrl(baseUrl, endpoint), endpoint, window);
  const p = endpoint.pagination;
  if (p.style === 'offset') {
    url.searchParams.set(p.limitParam, String(pageSize));
    url.searchParams.set(p.offsetParam, String((page - 1) * pageSize));
  } else if (p.style === 'page') {
    url.searchParams.set(p.sizeParam, String(pageSize));
    url.searchParams.set(p.pageParam, String(page - 1 + p.firstPage));
  } else {
    throw new Error(`countedPageUrl called for cursor style ${p.style}`);
  }
  return url;
}
