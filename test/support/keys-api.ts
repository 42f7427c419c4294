import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A REST API whose records carry keys that JavaScript objects inherit:
 * `__proto__`, `constructor`, `toString`, at the top and nested. Served on
 * 127.0.0.1 for tests, paged by `offset` + `limit`, filtered by `start_date` <=
 * created_at < `end_date`; the body is `{ "data": [...], "total": n }`, written
 * as text so the `__proto__` keys reach the connector as the API sent them.
 */
export interface KeysApi {
  url: string;
  /** Each record exactly as served, by id. */
  readonly served: ReadonlyMap<string, string>;
  /** Ids with created_at in [start, end), in order. */
  idsInWindow(start: Date, end: Date): string[];
  close(): Promise<void>;
}

export interface KeysApiOptions {
  /** @default 250 */
  records?: number;
  /** @default 2024-01-01T00:00:00Z */
  start?: Date;
  /** @default 5 minutes */
  stepMs?: number;
}

interface Row {
  id: string;
  at: number;
  text: string;
}

/** Record i as JSON text: every 7th has a `__proto__` object, every 11th `constructor` and `toString`, every 5th a nested `__proto__`. */
function recordText(i: number, at: number): string {
  const id = `k_${String(i + 1).padStart(5, '0')}`;
  const fields = [`"id":"${id}"`, `"created_at":"${new Date(at).toISOString()}"`, `"amount":${(i % 13) + 0.25}`];
  if (i % 7 === 0) fields.push('"__proto__":{"records":1,"polluted":true}');
  if (i % 11 === 0) fields.push('"constructor":"c"', '"toString":"t"');
  fields.push(i % 5 === 0 ? '"meta":{"tag":"x","__proto__":{"polluted":true}}' : '"meta":{"tag":"y"}');
  return `{${fields.join(',')}}`;
}

export async function createKeysApi(options: KeysApiOptions = {}): Promise<KeysApi> {
  const start = (options.start ?? new Date('2024-01-01T00:00:00Z')).getTime();
  const step = options.stepMs ?? 300_000;
  const rows: Row[] = Array.from({ length: options.records ?? 250 }, (_, i) => ({
    id: `k_${String(i + 1).padStart(5, '0')}`,
    at: start + i * step,
    text: recordText(i, start + i * step),
  }));

  function serve(req: IncomingMessage, res: ServerResponse): void {
    const q = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
    const from = Date.parse(q.get('start_date') ?? '');
    const to = Date.parse(q.get('end_date') ?? '');
    const limit = Number(q.get('limit') ?? 100);
    const offset = Number(q.get('offset') ?? 0);
    if (Number.isNaN(from) || Number.isNaN(to) || !(limit >= 1) || !(offset >= 0)) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":"start_date, end_date, limit and offset are required"}');
      return;
    }
    const window = rows.filter((r) => r.at >= from && r.at < to);
    const page = window.slice(offset, offset + limit);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`{"data":[${page.map((r) => r.text).join(',')}],"total":${window.length}}`);
  }

  const server: Server = createServer(serve);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served: new Map(rows.map((r) => [r.id, r.text])),
    idsInWindow: (from, to) => rows.filter((r) => r.at >= from.getTime() && r.at < to.getTime()).map((r) => r.id),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
