import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CursorPage, PermanentError, ServiceConfig } from '@rdc/contracts';
import { createHttpSource, type HttpSource } from '@rdc/source';
import { expect } from 'chai';

interface TestServer {
  origin: string;
  seen: URL[];
  close(): Promise<void>;
}
type Handler = (res: ServerResponse, url: URL, origin: string) => void;

async function startServer(handler: Handler): Promise<TestServer> {
  const seen: URL[] = [];
  let origin = '';
  const server: Server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', origin);
    seen.push(url);
    handler(res, url, origin);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    seen,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function json(res: ServerResponse, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Seven records, ids r1..r7, served in pages of `limit` after position `from`. */
const ALL = Array.from({ length: 7 }, (_, i) => ({ id: `r${i + 1}` }));
function slice(from: number, limit: number) {
  return ALL.slice(from, from + limit);
}

const WINDOW = { start: new Date('2024-03-01T00:00:00Z'), end: new Date('2024-03-02T00:00:00Z') };

function serviceWith(pagination: Record<string, unknown>, records = 'data'): ServiceConfig {
  return ServiceConfig.parse({
    service: 'retail',
    baseUrl: 'http://127.0.0.1:1',
    endpoints: {
      items: {
        path: '/items',
        timestampField: 'ts',
        pagination,
        response: { records },
        schema: { id: 'string', ts: 'datetime' },
      },
    },
  });
}

async function collect(pages: AsyncIterable<CursorPage>): Promise<CursorPage[]> {
  const out: CursorPage[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

function ids(pages: CursorPage[]): string[] {
  return pages.flatMap((p) => p.records.map((r) => String(r.id)));
}

describe('source: cursor pagination against a loopback API', () => {
  const servers: TestServer[] = [];
  let source: HttpSource | undefined;

  afterEach(async () => {
    source?.close();
    source = undefined;
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function serve(handler: Handler): Promise<TestServer> {
    const server = await startServer(handler);
    servers.push(server);
    return server;
  }

  function client(service: ServiceConfig, api: TestServer): HttpSource {
    source = createHttpSource({ service, baseUrl: api.origin, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
    return source;
  }

  /** The window filter and page size go on the first request; next links are followed as given. */
  function expectFirstRequestOnlyFiltered(api: TestServer): void {
    const [first, ...rest] = api.seen;
    expect(first?.searchParams.get('start_date')).to.equal('2024-03-01T00:00:00.000Z');
    expect(first?.searchParams.get('end_date')).to.equal('2024-03-02T00:00:00.000Z');
    for (const url of rest) expect(url.searchParams.has('start_date'), url.href).to.equal(false);
  }

  function expectWindowOnEveryRequest(api: TestServer): void {
    for (const url of api.seen) {
      expect(url.searchParams.get('start_date'), url.href).to.equal('2024-03-01T00:00:00.000Z');
      expect(url.searchParams.get('end_date'), url.href).to.equal('2024-03-02T00:00:00.000Z');
    }
  }

  it('link-header: follows rel="next" (relative, among other links) to the end', async () => {
    const api = await serve((res, url) => {
      const from = Number(url.searchParams.get('after') ?? 0);
      const limit = Number(url.searchParams.get('limit'));
      const links = [`</items?limit=${limit}&after=0>; rel="first"; title="a, b; c"`];
      if (from + limit < ALL.length) links.push(`</items?limit=${limit}&after=${from + limit}>; rel="next"`);
      json(res, { data: slice(from, limit) }, { Link: links.join(', '), 'X-Request-Id': `req-${from}` });
    });
    const pages = await collect(
      client(serviceWith({ style: 'link-header', pageSize: 3 }), api).walkCursor('items', WINDOW, 3),
    );
    expect(pages.map((p) => p.page)).to.deep.equal([1, 2, 3]);
    expect(ids(pages)).to.deep.equal(ALL.map((r) => r.id));
    expect(pages.map((p) => p.requestId)).to.deep.equal(['req-0', 'req-3', 'req-6']);
    expect(pages.every((p) => p.total === undefined)).to.equal(true);
    expectFirstRequestOnlyFiltered(api);
    // The links are followed exactly as given: nothing added to them.
    expect(api.seen.slice(1).map((u) => `${u.pathname}${u.search}`)).to.deep.equal([
      '/items?limit=3&after=3',
      '/items?limit=3&after=6',
    ]);
  });

  it('body-cursor with cursorParam: sends the cursor until it is null', async () => {
    const api = await serve((res, url) => {
      const from = Number(url.searchParams.get('cursor') ?? 0);
      const limit = Number(url.searchParams.get('limit'));
      const next = from + limit < ALL.length ? String(from + limit) : null;
      json(res, { results: { rows: slice(from, limit) }, meta: { next } });
    });
    const service = serviceWith(
      { style: 'body-cursor', pageSize: 4, nextPath: 'meta.next', cursorParam: 'cursor' },
      'results.rows',
    );
    const pages = await collect(client(service, api).walkCursor('items', WINDOW, 4));
    expect(ids(pages)).to.deep.equal(ALL.map((r) => r.id));
    expect(api.seen.map((u) => u.searchParams.get('cursor'))).to.deep.equal([null, '4']);
    expectWindowOnEveryRequest(api);
  });

  it('body-cursor with a full next URL: follows it exactly as given', async () => {
    const api = await serve((res, url, origin) => {
      const from = Number(url.searchParams.get('from') ?? 0);
      const next = from + 2 < ALL.length ? `${origin}/items?from=${from + 2}&limit=2` : null;
      json(res, { data: slice(from, 2), next });
    });
    const pages = await collect(
      client(serviceWith({ style: 'body-cursor', pageSize: 2, nextPath: 'next' }), api).walkCursor('items', WINDOW, 2),
    );
    expect(ids(pages)).to.deep.equal(ALL.map((r) => r.id));
    expect(pages).to.have.length(4);
    expectFirstRequestOnlyFiltered(api);
    expect(api.seen.slice(1).map((u) => u.search)).to.deep.equal([
      '?from=2&limit=2',
      '?from=4&limit=2',
      '?from=6&limit=2',
    ]);
  });

  it('starting-after: sends the last id while has_more is true', async () => {
    const api = await serve((res, url) => {
      const after = url.searchParams.get('starting_after');
      const from = after === null ? 0 : ALL.findIndex((r) => r.id === after) + 1;
      const limit = Number(url.searchParams.get('limit'));
      json(res, { data: slice(from, limit), has_more: from + limit < ALL.length });
    });
    const pages = await collect(
      client(serviceWith({ style: 'starting-after', pageSize: 3 }), api).walkCursor('items', WINDOW, 3),
    );
    expect(ids(pages)).to.deep.equal(ALL.map((r) => r.id));
    expect(api.seen.map((u) => u.searchParams.get('starting_after'))).to.deep.equal([null, 'r3', 'r6']);
    expectWindowOnEveryRequest(api);
  });

  it('follows an empty page that offers a next cursor, like any other page', async () => {
    const api = await serve((res, url) => {
      const from = Number(url.searchParams.get('cursor') ?? 0);
      // Filtered after paginating: the second and third pages come back empty.
      const rows = from === 2 || from === 4 ? [] : slice(from, 2);
      json(res, { data: rows, next: from + 2 < ALL.length ? String(from + 2) : null });
    });
    const service = serviceWith({ style: 'body-cursor', pageSize: 2, nextPath: 'next', cursorParam: 'cursor' });
    const pages = await collect(client(service, api).walkCursor('items', WINDOW, 2));
    expect(pages.map((p) => [p.page, p.records.length, p.next])).to.deep.equal([
      [1, 2, '2'],
      [2, 0, '4'],
      [3, 0, '6'],
      [4, 1, undefined],
    ]);
    expect(ids(pages)).to.deep.equal(['r1', 'r2', 'r7']);
  });

  it('follows an empty page with a next link; an empty page with has_more true is a PermanentError', async () => {
    const linked = await serve((res, url) => {
      const from = Number(url.searchParams.get('after') ?? 0);
      const next: Record<string, string> =
        from + 3 < ALL.length ? { Link: `</items?limit=3&after=${from + 3}>; rel="next"` } : {};
      json(res, { data: from === 3 ? [] : slice(from, 3) }, next);
    });
    const pages = await collect(
      client(serviceWith({ style: 'link-header', pageSize: 3 }), linked).walkCursor('items', WINDOW, 3),
    );
    expect(ids(pages)).to.deep.equal(['r1', 'r2', 'r3', 'r7']);
    source?.close();

    const after = await serve((res, url) => {
      const from = url.searchParams.has('starting_after') ? 3 : 0;
      json(res, { data: from === 0 ? slice(0, 3) : [], has_more: true });
    });
    const error = await collect(
      client(serviceWith({ style: 'starting-after', pageSize: 3 }), after).walkCursor('items', WINDOW, 3),
    ).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(PermanentError);
    expect((error as Error).message).to.include('empty with has_more true');
    expect(after.seen).to.have.length(2);
  });

  it('a repeated cursor is a PermanentError, after the pages before it', async () => {
    const api = await serve((res, url) => {
      const cursor = url.searchParams.get('cursor');
      json(res, { data: slice(0, 2), next: cursor === 'b' ? 'a' : cursor === 'a' ? 'b' : 'a' });
    });
    const service = serviceWith({ style: 'body-cursor', pageSize: 2, nextPath: 'next', cursorParam: 'cursor' });
    const got: CursorPage[] = [];
    const error = await (async () => {
      for await (const p of client(service, api).walkCursor('items', WINDOW, 2)) got.push(p);
    })().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(PermanentError);
    expect((error as Error).message).to.include('already sent');
    expect(got).to.have.length(3);
    expect(api.seen).to.have.length(3);
  });

  it('a next link that points back to the first page is a PermanentError', async () => {
    const api = await serve((res, url) =>
      json(res, { data: slice(0, 2) }, { Link: `<${url.pathname}${url.search}>; rel=next` }),
    );
    const error = await collect(
      client(serviceWith({ style: 'link-header', pageSize: 2 }), api).walkCursor('items', WINDOW, 2),
    ).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(PermanentError);
    expect(api.seen).to.have.length(1);
  });

  it('refuses a next link on another origin and never calls it', async () => {
    const other = await serve((res) => json(res, { data: [] }));
    const api = await serve((res) =>
      json(res, { data: slice(0, 2) }, { Link: `<${other.origin}/items?page=2>; rel="next"` }),
    );
    source = createHttpSource({
      service: ServiceConfig.parse({
        service: 'retail',
        baseUrl: 'http://127.0.0.1:1',
        auth: { type: 'api-key', env: 'RETAIL_API_KEY' },
        endpoints: {
          items: {
            path: '/items',
            timestampField: 'ts',
            pagination: { style: 'link-header', pageSize: 2 },
            schema: { id: 'string', ts: 'datetime' },
          },
        },
      }),
      baseUrl: api.origin,
      apiKey: 'secret-key-value',
    });
    const error = await collect(source.walkCursor('items', WINDOW, 2)).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(PermanentError);
    expect((error as Error).message).to.include('refusing to send the API key');
    expect((error as Error).message).not.to.include('secret-key-value');
    expect(other.seen).to.have.length(0);
  });

  it('walkCursor on a counted endpoint and count on a cursor endpoint are config errors', async () => {
    const api = await serve((res) => json(res, { data: [] }));
    const src = client(serviceWith({ style: 'starting-after', pageSize: 2 }), api);
    const error = await src.count('items', WINDOW, 2).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(PermanentError);
    expect((error as Error).message).to.include('walkCursor');
    expect(api.seen).to.have.length(0);
  });
});
