import { getPath } from '@rdc/source/json-path.js';
import { readRecords } from '@rdc/source/records.js';
import { pagesFor, readTotal } from '@rdc/source/totals.js';
import { ConfigError } from '@rdc/contracts';
import { expect } from 'chai';

describe('source: JSON paths, records and totals', () => {
  const body = { data: [{ id: 1 }], results: { rows: [{ id: 'a' }], count: 12 }, meta: { pages: [3, 4] } };

  it('reads dotted paths, the bare body for "", array indexes, and undefined when missing', () => {
    expect(getPath(body, 'data')).to.equal(body.data);
    expect(getPath(body, 'results.rows')).to.equal(body.results.rows);
    expect(getPath(body, '')).to.equal(body);
    expect(getPath(body, 'meta.pages.1')).to.equal(4);
    expect(getPath(body, 'results.missing.deeper')).to.equal(undefined);
    expect(getPath(body, 'data.id')).to.equal(undefined);
    expect(getPath(null, 'data')).to.equal(undefined);
    expect(getPath({ a: 1 }, 'constructor')).to.equal(undefined);
  });

  it('reads records at a path or from a bare array body', () => {
    expect(readRecords(body, 'results.rows', 'f')).to.deep.equal([{ id: 'a' }]);
    expect(readRecords([{ id: 'x' }], '', 'f')).to.deep.equal([{ id: 'x' }]);
    expect(readRecords({ data: [] }, 'data', 'f')).to.deep.equal([]);
  });

  it('rejects records that are not an array of objects, naming the path and the config field', () => {
    expect(() => readRecords({ data: { id: 1 } }, 'data', 'endpoints.sales.response.records'))
      .to.throw('expected an array of records at "data" in the response body, got an object')
      .with.property('configField', 'endpoints.sales.response.records');
    expect(() => readRecords({}, 'data', 'f')).to.throw(ConfigError, 'matches nothing');
    expect(() => readRecords({ data: [{ id: 1 }, 7] }, 'data', 'f')).to.throw('item 1 is number 7');
    expect(() => readRecords({ data: [null] }, 'data', 'f')).to.throw('item 0 is null');
  });

  it('reads an items total from the body and a pages total from a header', () => {
    expect(readTotal({ from: 'body', path: 'results.count', of: 'items' }, body, {}, 'f')).to.deep.equal({
      of: 'items',
      value: 12,
    });
    expect(
      readTotal({ from: 'header', name: 'X-Total-Count', of: 'items' }, [], { 'x-total-count': '42' }, 'f'),
    ).to.deep.equal({
      of: 'items',
      value: 42,
    });
    expect(
      readTotal({ from: 'header', name: 'X-WP-TotalPages', of: 'pages' }, [], { 'x-wp-totalpages': ' 3 ' }, 'f'),
    ).to.deep.equal({
      of: 'pages',
      value: 3,
    });
  });

  it('rejects a total that is not a non-negative integer', () => {
    const at = (value: unknown) => () =>
      readTotal({ from: 'body', path: 'total', of: 'items' }, { total: value }, {}, 'f');
    expect(at(-1)).to.throw('non-negative integer');
    expect(at(2.5)).to.throw('non-negative integer');
    expect(at('12')).to.throw('got string "12"');
    expect(at(undefined)).to.throw('got nothing');
    const header = (value: string | undefined) => () =>
      readTotal({ from: 'header', name: 'X-Total-Count', of: 'items' }, {}, { 'x-total-count': value }, 'f');
    expect(header(undefined)).to.throw('got no header');
    expect(header('-3')).to.throw('X-Total-Count header');
    expect(header('abc')).to.throw('"abc"');
  });

  it('turns totals into pages: ceil(items / pageSize), 0 items = 0 pages, pages as reported', () => {
    expect(pagesFor({ of: 'items', value: 0 }, 250)).to.equal(0);
    expect(pagesFor({ of: 'items', value: 1 }, 250)).to.equal(1);
    expect(pagesFor({ of: 'items', value: 500 }, 250)).to.equal(2);
    expect(pagesFor({ of: 'items', value: 501 }, 250)).to.equal(3);
    expect(pagesFor({ of: 'pages', value: 7 }, 250)).to.equal(7);
  });
});
