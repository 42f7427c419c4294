import { expect } from 'chai';
import { detectPagination } from '@rdc/source/probe-pagination.js';
import { readQuery } from '@rdc/source/probe-query.js';
import { draftSchema, findRecords, idCandidates, timeCandidates, timeTypeOf } from '@rdc/source/probe-records.js';

const gap = (what: string) => `FILL ME: ${what}`;
const rows = (n: number, make: (i: number) => Record<string, unknown>) => Array.from({ length: n }, (_, i) => make(i));
const page = (query: string, body: unknown, headers: Record<string, string> = {}) => {
  const found = findRecords(body);
  return detectPagination(
    readQuery(new URLSearchParams(query)),
    body,
    headers,
    {
      path: found?.path ?? 'data',
      count: found?.records.length ?? 0,
    },
    gap,
  );
};

describe('probe: records and their fields', () => {
  it('finds the records: the longest array of objects, a bare array, or one level down', () => {
    const data = rows(3, (i) => ({ id: i }));
    expect(findRecords({ object: 'list', data, has_more: true })).to.deep.include({ path: 'data', others: [] });
    expect(findRecords(data)?.path).to.equal('');
    expect(findRecords({ results: { rows: data }, errors: [{ code: 1 }] })).to.deep.include({
      path: 'results.rows',
      others: ['errors'],
    });
    expect(findRecords({ total: 0 })).to.equal(undefined);
  });

  it('offers as id only fields every record holds once; id first', () => {
    const records = rows(4, (i) => ({ order_id: `o${i}`, id: i + 1, status: 'paid', customer_id: i % 2 }));
    expect(idCandidates(records)).to.deep.equal(['id', 'order_id']);
    expect(idCandidates([{ id: 1 }, { id: 1 }])).to.deep.equal([]);
    expect(idCandidates([{ id: 1 }, { id: null }])).to.deep.equal([]);
  });

  it('types timestamps; epoch numbers only between 2000 and 2100, so nine-digit ids are no times', () => {
    expect(timeTypeOf('2024-07-01T10:00:00Z')).to.equal('datetime');
    expect(timeTypeOf('2024-07-01T10:00:00+02:00')).to.equal('datetime');
    expect(timeTypeOf('2024-07-01 10:00:00')).to.equal('datetime-local');
    expect(timeTypeOf('2024-07-01')).to.equal('date');
    expect(timeTypeOf(1719828000)).to.equal('epoch-seconds');
    expect(timeTypeOf(1719828000123)).to.equal('epoch-millis');
    expect(timeTypeOf(450789469)).to.equal(undefined);
    expect(timeTypeOf(5678901234567)).to.equal(undefined);
  });

  it('keeps a time field only when every record holds one of the same type, and notes whole seconds', () => {
    const records = rows(3, (i) => ({
      created: 1719828000 + i,
      at: `2024-07-01T10:00:0${i}.${i + 1}Z`,
      closed_at: i === 0 ? null : '2024-07-02T00:00:00Z',
    }));
    expect(timeCandidates(records).map((c) => [c.field, c.type, c.wholeSeconds])).to.deep.equal([
      ['created', 'epoch-seconds', true],
      ['at', 'datetime', false],
    ]);
  });

  it('drafts a schema: the given fields as typed, others optional, null-only and mixed fields left out', () => {
    const records = [
      { id: 1, n: 1, x: 1.5, s: 'a', b: true, o: { k: 1 }, a: [1], z: null, m: 1 },
      { id: 2, n: 2, x: 2, s: null, b: false, o: {}, a: [], z: null, m: 'one' },
    ];
    const draft = draftSchema(
      records,
      new Map([
        ['id', 'integer'],
        ['n', 'epoch-seconds?'],
      ]),
    );
    expect(draft.schema).to.deep.equal({
      id: 'integer',
      'n?': 'epoch-seconds',
      'x?': 'number',
      's?': 'string',
      'b?': 'boolean',
      'o?': 'object',
      'a?': 'array',
    });
    expect(draft.untyped).to.deep.equal(['z']);
    expect(draft.mixed).to.deep.equal(['m']);
  });

  it('a record key JavaScript reserves, or no column could be named, stays out of the schema', () => {
    const records = [JSON.parse('{"id": 1, "__proto__": {"x": 1}, "a-b": 2, "ok": 3}') as Record<string, unknown>];
    const draft = draftSchema(records, new Map([['id', 'integer']]));
    expect(Object.keys(draft.schema)).to.deep.equal(['id', 'ok?']);
    expect(Object.getPrototypeOf(draft.schema)).to.equal(Object.prototype);
  });
});

describe('probe: pagination from one page', () => {
  const data = rows(2, (i) => ({ id: i }));

  it('offset in the URL with a total in the body: offset', () => {
    const found = page('limit=100&offset=0', { data, total: 1449 });
    expect(found.pagination).to.deep.equal({
      style: 'offset',
      pageSize: 100,
      limitParam: 'limit',
      offsetParam: 'offset',
    });
    expect(found.total).to.deep.equal({ from: 'body', path: 'total' });
  });

  it('page numbers with a header total: page, the first page from the URL, items preferred to pages', () => {
    const found = page('per_page=100&page=1', data, {
      'x-wp-total': '120',
      'x-wp-totalpages': '2',
      link: '<http://a/x?page=2>; rel="next"',
    });
    expect(found.pagination).to.deep.equal({
      style: 'page',
      pageSize: 100,
      pageParam: 'page',
      sizeParam: 'per_page',
      firstPage: 1,
    });
    expect(found.total).to.deep.equal({ from: 'header', name: 'X-WP-Total' });
    const pagesOnly = page('per_page=100&page=0', data, { 'x-wp-totalpages': '2' });
    expect(pagesOnly.total).to.deep.equal({ from: 'header', name: 'X-WP-TotalPages', of: 'pages' });
    expect(pagesOnly.pagination.firstPage).to.equal(0);
  });

  it('a page number past 1 in the URL leaves the first page to fill', () => {
    const found = page('per_page=100&page=3', data, { 'x-total-count': '900' });
    expect(String(found.pagination.firstPage)).to.match(/^FILL ME: 0 or 1/);
  });

  it('a Link rel="next" header without a total: link-header', () => {
    const found = page(
      'limit=50',
      { orders: data },
      { link: '<https://shop/orders.json?page_info=abc&limit=50>; rel="next"' },
    );
    expect(found.pagination).to.deep.equal({ style: 'link-header', pageSize: 50, sizeParam: 'limit' });
    expect(found.total).to.equal(undefined);
  });

  it('has_more: starting-after with its path', () => {
    const found = page('limit=100', { object: 'list', data, has_more: false, url: '/v1/charges' });
    expect(found.pagination).to.deep.equal({
      style: 'starting-after',
      pageSize: 100,
      sizeParam: 'limit',
      cursorParam: 'starting_after',
      hasMorePath: 'has_more',
    });
  });

  it('has_more beside a page number and no total is a gap: starting_after would be ignored and repeat the page', () => {
    const found = page('limit=100&page=1', { data, has_more: true });
    expect(String(found.pagination.style)).to.match(/^FILL ME: page numbers with has_more and no total/);
  });

  it('a next URL in the body needs no cursor parameter; a bare cursor leaves it to fill', () => {
    expect(page('limit=10', { data, links: { next: 'https://a/x?c=2' } }).pagination).to.deep.equal({
      style: 'body-cursor',
      pageSize: 10,
      sizeParam: 'limit',
      nextPath: 'links.next',
    });
    const cursor = page('limit=10', { data, meta: { next_cursor: 'eyJ0IjoxfQ' } }).pagination;
    expect(cursor.nextPath).to.equal('meta.next_cursor');
    expect(String(cursor.cursorParam)).to.match(/^FILL ME: the query parameter that sends "meta.next_cursor" back/);
  });

  it('what one page cannot show is marked: no page size, no sign of a next page, a total without page or offset', () => {
    const none = page('', { data });
    expect(String(none.pagination.style)).to.match(/^FILL ME: one of offset, page/);
    expect(String(none.pagination.pageSize)).to.match(/^FILL ME: records per page/);
    expect(String(page('limit=5', { data, total: 9 }).pagination.style)).to.match(/^FILL ME: offset or page/);
  });

  it('an offset the body echoes counts as the offset parameter', () => {
    expect(page('limit=100', { data, total: 9, limit: 100, offset: 0 }).pagination.style).to.equal('offset');
  });
});
