import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BoundsMode, isBoundsMode, serveBounds } from './hostile-bounds.js';

/**
 * A REST API that misbehaves the way real ones do, served on 127.0.0.1 for
 * tests. Every path serves the same records `{ id, created_at, amount }`,
 * sorted by (created_at, id), filtered by `start_date` <= created_at <
 * `end_date`, paged by `offset`+`limit` or by `page` (1-based) + `per_page`,
 * or walked with `starting_after=<id>` + `limit` (`has_more` in the body), or
 * with `cursor=<position>` + `limit` (`next_cursor` in the body, and a `Link`
 * rel="next" header that keeps the query).
 * The body is `{ data: [...], total, has_more, next_cursor }`; `total` counts the window.
 *
 * Modes (switch at any time with `api.mode = …`):
 * - `healthy`: exactly as above.
 * - `ignore-offset`: the offset / page parameter is ignored; every page is the first.
 * - `shuffle`: the window's order is shuffled on every request (seeded, so runs repeat).
 * - `repeat-boundary`: page `boundaryPage` starts with the last record of the page
 *   before it, and so drops its own last record; counts stay right.
 * - `insert-mid-run`: after `insertAfter` page requests, `insertCount` new records
 *   appear in the middle of the window; the total keeps reporting the count from
 *   before (a cached count), so pages shift under the run.
 * - `total-drift`: records are stable, but the reported total changes on every request.
 * - `empty-pages`: records are filtered after paginating: the records at positions
 *   `hiddenFrom` to `hiddenTo` of the dataset are left out of their pages (and out of
 *   `idsInWindow`), so whole pages come back empty mid-stream, with their next link,
 *   cursor and `has_more` as usual.
 * - `endless-cursor`: past the last record the cursor never ends: every next page holds
 *   `limit` new made-up records inside the window, with a next link, cursor and `has_more`.
 * - `invalid-utf8`: every page past the first holds bytes that are not UTF-8 (0xff 0xfe)
 *   inside its first record's id.
 * - `echo-key`: every page past the first answers 401 with the `X-API-Key` it was sent
 *   echoed back in the body, in each escaping a server may apply (JSON, Python repr with
 *   doubled backslashes, `\u` and `\x` escapes, HTML entities, percent-encoding, base64).
 * - bounded waits and sizes: `huge-total`, `huge-body`, `huge-retry-after`, `negative-retry-after`,
 *   `slow-drip` (see hostile-bounds.ts).
 */
export type HostileMode =
  | 'healthy'
  | 'ignore-offset'
  | 'shuffle'
  | 'repeat-boundary'
  | 'insert-mid-run'
  | 'total-drift'
  | 'empty-pages'
  | 'endless-cursor'
  | 'invalid-utf8'
  | 'echo-key'
  | BoundsMode;

export interface HostileRecord {
  id: string;
  created_at: string;
  /** A string of digits past 2^53 for `snowflake` records (sent as a JSON number). */
  amount: number | string;
}

export interface HostileApiOptions {
  /** Records in the dataset. @default 500 */
  records?: number;
  /** First record's timestamp. @default 2024-01-01T00:00:00Z */
  start?: Date;
  /** Time between consecutive records. @default 1 minute */
  stepMs?: number;
  /** A bulk import: the first `bulk` records share the first timestamp, the others follow `stepMs` apart. @default 0 */
  bulk?: number;
  /**
   * Snowflake-style records: ids are 64-bit integers (1800000000000000001, …) and amounts
   * integers past 2^53, sent as JSON numbers that `JSON.parse` would round. @default false
   */
  snowflake?: boolean;
  mode?: HostileMode;
  /** `repeat-boundary`: the page (1-based) that repeats its predecessor's last record. @default 2 */
  boundaryPage?: number;
  /** `insert-mid-run`: page requests served before records are inserted. @default 2 */
  insertAfter?: number;
  /** `insert-mid-run`: how many records appear. @default 3 */
  insertCount?: number;
  /** Seed of the `shuffle` order. @default 1 */
  seed?: number;
  /** `empty-pages`: the first hidden record (0-based position in the dataset). @default 100 */
  hiddenFrom?: number;
  /** `empty-pages`: the position after the last hidden record. @default 200 */
  hiddenTo?: number;
  /** A slow API: every response is sent this many milliseconds after its request. @default 0 */
  delayMs?: number;
}

export interface HostileApi {
  url: string;
  mode: HostileMode;
  /** Requests served so far (count and pages alike). */
  readonly requests: number;
  /** Ids of every record (inserted ones too) with created_at in [start, end), in sort order. */
  idsInWindow(start: Date, end: Date): string[];
  /** The dataset as it is now, in sort order. */
  records(): readonly HostileRecord[];
  close(): Promise<void>;
}

const pad = (n: number): string => String(n).padStart(7, '0');
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** A 401 body that echoes `key` back in every escaping a server, a framework or a logger may apply. */
function echoedKeyBody(key: string): string {
  const bytes = [...Buffer.from(key)];
  const repr = `'${key.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  return JSON.stringify({
    error: `invalid key ${key}`,
    detail: `Invalid API key: ${repr}`,
    nested: JSON.stringify({ message: `rejected ${key}` }),
    unicode: [...key].map((c) => `\\u${hex(c.charCodeAt(0), 4)}`).join(''),
    bytes: bytes.map((b) => `\\x${hex(b, 2)}`).join(''),
    html: key
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;'),
    url: `/sales?key=${encodeURIComponent(key)}&every=${bytes.map((b) => `%${hex(b, 2)}`).join('')}`,
    base64: Buffer.from(key).toString('base64'),
    basic: `Basic ${Buffer.from(`user:${key}`).toString('base64')}`,
  });
}

function makeRecords(count: number, start: number, stepMs: number, bulk: number, snowflake: boolean): HostileRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    id: snowflake ? String(1_800_000_000_000_000_000n + BigInt(i + 1)) : `h_${pad(i + 1)}`,
    created_at: new Date(start + Math.max(0, i - Math.max(0, bulk - 1)) * stepMs).toISOString(),
    amount: (i % 97) + 0.5,
  }));
}

const byKey = (a: HostileRecord, b: HostileRecord): number =>
  a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** A small seeded generator (mulberry32), so shuffles repeat from run to run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], next: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

interface PageQuery {
  window: HostileRecord[];
  offset: number;
  limit: number;
  cursor: string | null;
}

function parseQuery(url: URL, data: readonly HostileRecord[]): PageQuery | string {
  const q = url.searchParams;
  const start = q.get('start_date');
  const end = q.get('end_date');
  if (!start || !end) return 'start_date and end_date are required';
  const from = Date.parse(start);
  const to = Date.parse(end);
  if (Number.isNaN(from) || Number.isNaN(to)) return 'start_date and end_date must be ISO datetimes';
  const window = data.filter((r) => {
    const t = Date.parse(r.created_at);
    return t >= from && t < to;
  });
  const limit = Number(q.get('limit') ?? q.get('per_page') ?? 100);
  const offset = q.has('page') ? (Number(q.get('page')) - 1) * limit : Number(q.get('offset') ?? q.get('cursor') ?? 0);
  if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(offset) || offset < 0) return 'bad paging parameters';
  return { window, offset, limit, cursor: q.get('starting_after') };
}

export async function createHostileApi(options: HostileApiOptions = {}): Promise<HostileApi> {
  const stepMs = options.stepMs ?? 60_000;
  const start = (options.start ?? new Date('2024-01-01T00:00:00Z')).getTime();
  const initial = options.records ?? 500;
  const snowflake = options.snowflake ?? false;
  const data = makeRecords(initial, start, stepMs, options.bulk ?? 0, snowflake);
  // Amounts in minor units past 2^53, kept as exact digits (a string here, a JSON number on the wire).
  if (snowflake) data.forEach((r, i) => (r.amount = String(90_071_992_547_409_930n + BigInt(i))));
  const next = random(options.seed ?? 1);
  let requests = 0;
  let pageRequests = 0;
  let inserted = false;

  const state = { mode: options.mode ?? 'healthy' };
  const hidden = new Set(data.slice(options.hiddenFrom ?? 100, options.hiddenTo ?? 200));

  function insertRecords(): void {
    inserted = true;
    const count = options.insertCount ?? 3;
    const middle = start + Math.floor(initial / 2) * stepMs;
    for (let i = 0; i < count; i++) {
      // Between two existing records, so every later offset shifts.
      data.push({ id: `h_ins${pad(i + 1)}`, created_at: new Date(middle + 1000 + i).toISOString(), amount: 1 });
    }
    data.sort(byKey);
  }

  function serve(req: IncomingMessage, res: ServerResponse): void {
    requests++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = parseQuery(url, data);
    if (typeof query === 'string') {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: query }));
      return;
    }
    const mode = state.mode;
    const isCount = query.offset === 0 && query.cursor === null;
    if (!isCount) pageRequests++;
    let total = query.window.length;
    let rows = query.window;
    let offset = query.offset;
    if (mode === 'insert-mid-run') {
      // The count is cached from before the insertion.
      total = rows.length - (inserted ? (options.insertCount ?? 3) : 0);
      if (!inserted && pageRequests >= (options.insertAfter ?? 2)) insertRecords();
    }
    if (mode === 'shuffle') rows = shuffled(rows, next);
    if (mode === 'ignore-offset') offset = 0;
    if (mode === 'total-drift') total += requests;
    if (query.cursor !== null) {
      const at = rows.findIndex((r) => r.id === query.cursor);
      offset = at + 1;
    }
    // As many records as the page should hold, so every count still matches.
    const size = Math.max(0, Math.min(query.limit, rows.length - offset));
    if (mode === 'repeat-boundary' && offset > 0 && offset === ((options.boundaryPage ?? 2) - 1) * query.limit) {
      offset -= 1;
    }
    let page = rows.slice(offset, offset + size);
    let more = offset + query.limit < rows.length;
    if (mode === 'empty-pages') page = page.filter((r) => !hidden.has(r));
    if (mode === 'endless-cursor' && offset >= rows.length) {
      const at = url.searchParams.get('start_date') ?? '';
      page = Array.from({ length: query.limit }, (_, i) => ({
        id: `h_endless${pad(offset + i + 1)}`,
        created_at: new Date(Date.parse(at)).toISOString(),
        amount: 1,
      }));
    }
    if (mode === 'endless-cursor') more = true;
    const nextCursor = more ? String(offset + query.limit) : null;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-total-count': String(total) };
    if (nextCursor !== null) {
      const next = new URL(url.href);
      next.searchParams.set('cursor', nextCursor);
      headers.link = `<${next.pathname}${next.search}>; rel="next"`;
    }
    const body = (): string => {
      const text = JSON.stringify({ data: page, total, has_more: more, next_cursor: nextCursor });
      // The digits as JSON numbers, beyond what a double holds.
      return options.snowflake ? text.replace(/"(id|amount)":"(\d+)"/g, '"$1":$2') : text;
    };
    // Bounded waits and sizes (hostile-bounds.ts): huge totals and bodies, long or negative waits, slow drips.
    if (isBoundsMode(mode) && serveBounds(mode, res, { isCount, pageRequests, body })) return;
    if (mode === 'echo-key' && !isCount) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(echoedKeyBody(String(req.headers['x-api-key'] ?? '')));
      return;
    }
    res.writeHead(200, headers);
    if (mode === 'invalid-utf8' && offset >= query.limit && page[0]) {
      const [before, after] = body().split(page[0].id);
      res.end(
        Buffer.concat([
          Buffer.from(`${before}${page[0].id.slice(0, 2)}`),
          Buffer.from([0xff, 0xfe]),
          Buffer.from(`${page[0].id.slice(2)}${after}`),
        ]),
      );
      return;
    }
    res.end(body());
  }

  const delayMs = options.delayMs ?? 0;
  const pending = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    if (delayMs <= 0) return serve(req, res);
    const timer = setTimeout(() => {
      pending.delete(timer);
      serve(req, res);
    }, delayMs);
    pending.add(timer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return state.mode;
    },
    set mode(mode: HostileMode) {
      state.mode = mode;
    },
    get requests() {
      return requests;
    },
    idsInWindow(from: Date, to: Date): string[] {
      return data
        .filter((r) => Date.parse(r.created_at) >= from.getTime() && Date.parse(r.created_at) < to.getTime())
        .filter((r) => state.mode !== 'empty-pages' || !hidden.has(r))
        .map((r) => r.id);
    },
    records: () => data,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of pending) clearTimeout(timer);
        pending.clear();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
