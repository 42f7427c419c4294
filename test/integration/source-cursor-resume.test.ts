import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { type CursorPage, ServiceConfig } from '@rdc/contracts';
import { createHttpSource, type HttpSource } from '@rdc/source';

const KEY = 'k3y-Secret+42';
const WINDOW = { start: new Date('2024-03-01T00:00:00Z'), end: new Date('2024-03-02T00:00:00Z') };

const service = (pagination: Record<string, unknown>) =>
  ServiceConfig.parse({
    service: 'shop',
    baseUrl: 'http://127.0.0.1:1',
    auth: { type: 'query', param: 'api_key', env: 'SHOP_KEY' },
    endpoints: {
      items: {
        path: '/items',
        timestampField: 'ts',
        pagination,
        response: { records: 'data' },
        schema: { id: 'string', ts: 'datetime' },
      },
    },
  });

async function collect(pages: AsyncIterable<CursorPage>): Promise<CursorPage[]> {
  const out: CursorPage[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe('source: a cursor walk resumes from a saved position, which never holds the API key', () => {
  let server: Server | undefined;
  let source: HttpSource | undefined;
  const seen: URL[] = [];
  afterEach(async () => {
    source?.close();
    source = undefined;
    seen.length = 0;
    await new Promise<void>((resolve) => {
      server?.closeAllConnections();
      server?.close(() => resolve()) ?? resolve();
    });
    server = undefined;
  });

  /** Pages 1 to 4 of one record each; `next` says where page n points. */
  async function start(next: (page: number, url: URL) => Record<string, string>): Promise<string> {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      seen.push(url);
      const page = Number.parseInt(url.searchParams.get('page_info') ?? url.searchParams.get('cursor') ?? '1', 10);
      const headers = page < 4 ? next(page, url) : {};
      res.writeHead(200, { 'content-type': 'application/json', ...(headers.link ? { link: headers.link } : {}) });
      res.end(JSON.stringify({ data: [{ id: `r${page}`, ts: '2024-03-01T01:00:00Z' }], next: headers.cursor ?? null }));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('a next link that echoes the key is saved without it; the resumed walk numbers on and still sends the key', async () => {
    const base = await start((page) => ({
      link: `</items?page_info=${page + 1}&api_key=${encodeURIComponent(KEY)}&limit=1>; rel="next"`,
    }));
    source = createHttpSource({ service: service({ style: 'link-header', pageSize: 1 }), baseUrl: base, apiKey: KEY });
    const whole = await collect(source.walkCursor('items', WINDOW, 1));
    expect(whole.map((p) => p.records[0]?.id)).to.deep.equal(['r1', 'r2', 'r3', 'r4']);
    const saved = whole[1]!.resumeAt!;
    expect(saved.page).to.equal(2);
    expect(saved.next).to.deep.equal({ kind: 'url', value: '/items?page_info=3&limit=1' });
    expect(JSON.stringify(whole.map((p) => p.resumeAt)))
      .to.not.include(KEY)
      .and.not.include(encodeURIComponent(KEY));

    seen.length = 0;
    const seenKeys = whole.slice(0, 2).map((p) => p.resumeAt!.key);
    const rest = await collect(source.walkCursor('items', WINDOW, 1, { from: saved, seen: seenKeys }));
    expect(rest.map((p) => [p.page, p.records[0]?.id])).to.deep.equal([
      [3, 'r3'],
      [4, 'r4'],
    ]);
    expect(seen.map((u) => u.searchParams.get('page_info'))).to.deep.equal(['3', '4']);
    expect(seen.every((u) => u.searchParams.get('api_key') === KEY)).to.equal(true);
  });

  it('a cursor that holds the key is never offered as a resume point', async () => {
    const base = await start((page) => ({ cursor: page === 2 ? `${page + 1}-${KEY}` : String(page + 1) }));
    source = createHttpSource({
      service: service({ style: 'body-cursor', pageSize: 1, nextPath: 'next', cursorParam: 'cursor' }),
      baseUrl: base,
      apiKey: KEY,
    });
    const pages = await collect(source.walkCursor('items', WINDOW, 1));
    expect(pages.map((p) => p.resumeAt === undefined)).to.deep.equal([false, true, false, true]);
  });

  it('basic auth: a cursor holding the user name is a resume point; one holding the password is not', async () => {
    const base = await start((page) => ({
      cursor: page === 1 ? `${page + 1}-shop` : page === 2 ? `${page + 1}-${KEY}` : String(page + 1),
    }));
    const basic = ServiceConfig.parse({
      ...service({ style: 'body-cursor', pageSize: 1, nextPath: 'next', cursorParam: 'cursor' }),
      auth: { type: 'basic', userEnv: 'SHOP_USER', secretEnv: 'SHOP_PASSWORD' },
    });
    source = createHttpSource({ service: basic, baseUrl: base, secrets: { user: 'shop', secret: KEY } });
    const pages = await collect(source.walkCursor('items', WINDOW, 1));
    expect(pages.map((p) => p.resumeAt?.next.value)).to.deep.equal(['2-shop', undefined, '4', undefined]);
  });
});
