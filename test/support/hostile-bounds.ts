import type { ServerResponse } from 'node:http';

/**
 * Modes of the hostile API that test bounded waits and sizes
 * (see `createHostileApi`):
 * - `huge-total`: every count reports `total: 1e15`.
 * - `huge-body`: page requests get a 50 MB body, chunked (no Content-Length).
 * - `huge-retry-after`: page requests get 429 with `Retry-After: 999999` (11.6 days).
 * - `negative-retry-after`: every other page request gets 429 with `Retry-After: -30`.
 * - `slow-drip`: page bodies arrive one byte every 200 ms.
 */
export const BOUNDS_MODES = [
  'huge-total',
  'huge-body',
  'huge-retry-after',
  'negative-retry-after',
  'slow-drip',
] as const;
export type BoundsMode = (typeof BOUNDS_MODES)[number];

export const isBoundsMode = (mode: string): mode is BoundsMode => (BOUNDS_MODES as readonly string[]).includes(mode);

/**
 * Answers a request in a bounds mode, or returns false to let the normal
 * page be served (with `total` as given). `pageRequests` counts page requests so far.
 */
export function serveBounds(
  mode: BoundsMode,
  res: ServerResponse,
  request: { isCount: boolean; pageRequests: number; body: () => string },
): boolean {
  if (mode === 'huge-total') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data: [], total: 1e15, has_more: true }));
    return true;
  }
  if (request.isCount) return false;
  if (mode === 'huge-retry-after' || (mode === 'negative-retry-after' && request.pageRequests % 2 === 1)) {
    res.writeHead(429, {
      'content-type': 'application/json',
      'retry-after': mode === 'huge-retry-after' ? '999999' : '-30',
    });
    res.end(JSON.stringify({ message: 'slow down' }));
    return true;
  }
  if (mode === 'huge-body') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"data":[{"id":"');
    const chunk = 'x'.repeat(64 * 1024);
    let sent = 0;
    const pump = (): void => {
      while (sent < 800) {
        sent++;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end('"}],"total":1}');
    };
    res.on('error', () => undefined);
    res.on('close', () => (sent = 800));
    pump();
    return true;
  }
  if (mode === 'slow-drip') {
    const body = request.body();
    res.writeHead(200, { 'content-type': 'application/json' });
    let i = 0;
    const timer = setInterval(() => {
      if (res.destroyed || i >= body.length) {
        clearInterval(timer);
        if (!res.destroyed) res.end();
        return;
      }
      res.write(body[i++]);
    }, 200);
    res.on('close', () => clearInterval(timer));
    return true;
  }
  return false;
}
