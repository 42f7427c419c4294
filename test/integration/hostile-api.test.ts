import { expect } from 'chai';
import { createHostileApi, type HostileApi } from '../support/hostile-api.js';

const START = '2024-01-01T00:00:00.000Z';
const END = '2024-01-02T00:00:00.000Z';

interface Body {
  data: { id: string }[];
  total: number;
}

async function page(api: HostileApi, path: string, query: Record<string, string | number>): Promise<Body> {
  const url = new URL(path, api.url);
  url.searchParams.set('start_date', START);
  url.searchParams.set('end_date', END);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
  const res = await fetch(url);
  expect(res.status).to.equal(200);
  return (await res.json()) as Body;
}

const ids = (body: Body): string[] => body.data.map((r) => r.id);

/** Every id of the window, fetched page by page with offsets. */
async function walk(api: HostileApi, pages: number, limit = 100): Promise<string[]> {
  const out: string[] = [];
  for (let p = 0; p < pages; p++) out.push(...ids(await page(api, '/sales', { offset: p * limit, limit })));
  return out;
}

describe('hostile API (test server)', () => {
  let api: HostileApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('healthy: offset and page parameters walk the window once, in order', async () => {
    api = await createHostileApi({ records: 250 });
    const all = await walk(api, 3);
    expect(all).to.deep.equal(api.idsInWindow(new Date(START), new Date(END)));
    expect(ids(await page(api, '/paged', { page: 2, per_page: 100 }))).to.deep.equal(all.slice(100, 200));
    const after = await page(api, '/after', { starting_after: 'h_0000100', limit: 10 });
    expect(ids(after)[0]).to.equal('h_0000101');
  });

  it('ignore-offset: every page is the first', async () => {
    api = await createHostileApi({ records: 250, mode: 'ignore-offset' });
    const all = await walk(api, 3);
    expect(new Set(all).size).to.equal(100);
    expect(ids(await page(api, '/paged', { page: 3, per_page: 100 }))).to.deep.equal(all.slice(0, 100));
  });

  it('shuffle: the order differs between requests, the set does not', async () => {
    api = await createHostileApi({ records: 250, mode: 'shuffle' });
    const a = ids(await page(api, '/sales', { offset: 0, limit: 250 }));
    const b = ids(await page(api, '/sales', { offset: 0, limit: 250 }));
    expect(a).to.not.deep.equal(b);
    expect([...a].sort()).to.deep.equal([...b].sort());
  });

  it('repeat-boundary: page 2 repeats the last record of page 1 and one record goes missing', async () => {
    api = await createHostileApi({ records: 250, mode: 'repeat-boundary' });
    const all = await walk(api, 3);
    expect(all).to.have.length(250);
    expect(new Set(all).size).to.equal(249);
    expect(all[100]).to.equal(all[99]);
  });

  it('insert-mid-run: records appear in the window while the total stays cached', async () => {
    api = await createHostileApi({ records: 250, mode: 'insert-mid-run', insertAfter: 1, insertCount: 3 });
    const first = await page(api, '/sales', { offset: 0, limit: 100 });
    const second = await page(api, '/sales', { offset: 100, limit: 100 });
    const third = await page(api, '/sales', { offset: 200, limit: 100 });
    expect(first.total).to.equal(250);
    expect(third.total).to.equal(250);
    expect(api.idsInWindow(new Date(START), new Date(END))).to.have.length(253);
    expect([...ids(first), ...ids(second), ...ids(third)]).to.have.length(253);
  });

  it('total-drift: the total differs on every request', async () => {
    api = await createHostileApi({ records: 250, mode: 'total-drift' });
    const a = await page(api, '/sales', { offset: 0, limit: 100 });
    const b = await page(api, '/sales', { offset: 0, limit: 100 });
    expect(a.total).to.not.equal(b.total);
    expect(ids(a)).to.deep.equal(ids(b));
  });
});
