import { expect } from 'chai';
import { PermanentError } from '@rdc/contracts';
import { expectedRecords, pageCount } from '@rdc/core/plan/counting.js';

describe('page arithmetic', () => {
  it('plans 0 pages for 0 records', () => {
    expect(pageCount(0, 250)).to.equal(0);
  });

  it('plans exact multiples of 250 without an empty trailing page', () => {
    expect(pageCount(250, 250)).to.equal(1);
    expect(pageCount(500, 250)).to.equal(2);
    expect(pageCount(25_000, 250)).to.equal(100);
  });

  it('adds one page for one extra record', () => {
    expect(pageCount(1, 250)).to.equal(1);
    expect(pageCount(251, 250)).to.equal(2);
    expect(pageCount(501, 250)).to.equal(3);
  });

  it('rejects page sizes above 250 and bad totals, naming the value', () => {
    expect(() => pageCount(10, 251)).to.throw(RangeError, '`251`');
    expect(() => pageCount(10, 0)).to.throw(RangeError);
    expect(() => pageCount(-1, 250)).to.throw(RangeError, '`-1`');
    expect(() => pageCount(1.5, 250)).to.throw(RangeError);
  });

  it('expects full pages except the remainder on the last', () => {
    const task = { pages: 3, pageSize: 250, total: 501 };
    expect(expectedRecords({ ...task, page: 1 })).to.equal(250);
    expect(expectedRecords({ ...task, page: 2 })).to.equal(250);
    expect(expectedRecords({ ...task, page: 3 })).to.equal(1);
    expect(expectedRecords({ pages: 2, pageSize: 250, total: 500, page: 2 })).to.equal(250);
  });

  it('refuses a page outside the run', () => {
    expect(() => expectedRecords({ pages: 2, pageSize: 250, total: 500, page: 3 })).to.throw(PermanentError, 'outside');
  });
});
