import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the vendor replicas share: a loopback HTTP server, counters, a leaky
 * bucket, and one dataset of records at known instants, among them records
 * exactly on the window bounds the tests use and one second either side.
 */

export interface Reply {
  status: number;
  headers?: OutgoingHttpHeaders;
  body: unknown;
}

export interface ReplicaStats {
  requests: number;
  byStatus: Map<number, number>;
  /** Every request's path and query, in order (no credentials: they travel in headers). */
  urls: string[];
  /** Replies refused by the rate limit. */
  limited: number;
}

export interface ReplicaServer {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  stats: ReplicaStats;
  close(): Promise<void>;
}

export async function serveReplica(handle: (req: IncomingMessage, url: URL) => Reply): Promise<ReplicaServer> {
  const stats: ReplicaStats = { requests: 0, byStatus: new Map(), urls: [], limited: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    stats.requests++;
    stats.urls.push(`${url.pathname}${url.search}`);
    let reply: Reply;
    try {
      reply = handle(req, url);
    } catch (error) {
      reply = { status: 500, body: { error: String(error) } };
    }
    stats.byStatus.set(reply.status, (stats.byStatus.get(reply.status) ?? 0) + 1);
    if (reply.status === 429) stats.limited++;
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
    res.end(JSON.stringify(reply.body));
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * A leaky bucket as Shopify describes its REST limit: each request adds one,
 * the bucket drains `leakPerSecond`, and a request that finds it full is refused.
 */
export class LeakyBucket {
  private level = 0;
  private at = Date.now();
  constructor(
    readonly size: number,
    readonly leakPerSecond: number,
  ) {}

  /** Adds a request; false when the bucket is full. `used` is the level after it, as `X-Shopify-Shop-Api-Call-Limit` reports. */
  take(now = Date.now()): { ok: boolean; used: number } {
    this.level = Math.max(0, this.level - ((now - this.at) / 1000) * this.leakPerSecond);
    this.at = now;
    if (this.level + 1 > this.size) return { ok: false, used: Math.ceil(this.level) };
    this.level += 1;
    return { ok: true, used: Math.ceil(this.level) };
  }
}

/** A record of the shared dataset: a sequence number, its instant (whole seconds) and a status. */
export interface Seed {
  seq: number;
  /** ms since the epoch, whole seconds. */
  at: number;
  /** An index the replicas map to their own statuses. */
  kind: number;
}

/**
 * Instants the tests put window bounds on: records sit on each, and one second either side.
 * Among them the hours New York's clocks change (03:00 EDT on 10 March; 01:00 EDT and
 * 01:00 EST on 3 November), where a shop's `created_at` offsets jump.
 */
export const BOUNDARIES = [
  '2024-01-01T00:00:00Z',
  '2024-03-10T07:00:00Z',
  '2024-07-01T00:00:00Z',
  '2024-07-15T10:00:00Z',
  '2024-07-15T11:00:00Z',
  '2024-08-01T00:00:00Z',
  '2024-11-03T05:00:00Z',
  '2024-11-03T06:00:00Z',
  '2025-01-01T00:00:00Z',
].map((iso) => Date.parse(iso));

/**
 * The dataset: about `perDay` records a day through 2024 (seeded, at whole
 * seconds), plus three records on every boundary instant (two sharing the
 * instant itself) and one a second before and after each.
 */
export function seeds(perDay = 4, seed = 7): Seed[] {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const start = Date.parse('2023-12-31T00:00:00Z');
  const end = Date.parse('2025-01-02T00:00:00Z');
  const times: number[] = [];
  const step = 86_400_000 / perDay;
  for (let t = start; t < end; t += step) times.push(Math.floor((t + rand() * step) / 1000) * 1000);
  for (const b of BOUNDARIES) times.push(b - 1000, b, b, b + 1000);
  times.sort((a, b) => a - b);
  return times.map((at, i) => ({ seq: i + 1, at, kind: Math.floor(rand() * 1000) }));
}

/**
 * Parameters the API documents but the replica does not act on: a replica that took
 * them and ignored them would pass a client the real API answers differently, so
 * the replicas refuse them with a 400 that says so.
 */
export function unmodelledParams(url: URL, modelled: ReadonlySet<string>): string[] {
  return [...new Set(url.searchParams.keys())].filter((name) => !modelled.has(name));
}

/** A 400 for every query parameter the API does not know. */
export function unknownParams(url: URL, known: ReadonlySet<string>): string[] {
  return [...new Set(url.searchParams.keys())].filter((name) => !known.has(name));
}

/** `Authorization: Basic` user and secret, or undefined. */
export function basicAuth(req: IncomingMessage): { user: string; secret: string } | undefined {
  const header = req.headers.authorization ?? '';
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
  if (!match) return undefined;
  const text = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { user: text.slice(0, colon), secret: text.slice(colon + 1) };
}
