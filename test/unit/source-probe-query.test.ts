import { expect } from 'chai';
import { boundFormatOf, boundKindOf, fieldHintOf, readQuery } from '@rdc/source/probe-query.js';

describe('probe: reading the first page URL', () => {
  it('tells how each bound value is written, and refuses what no format writes', () => {
    expect(boundFormatOf('2024-07-01')).to.equal('date');
    expect(boundFormatOf('2024-07-01T00:00:00Z')).to.equal('iso');
    expect(boundFormatOf('2024-07-01T00:00:00.000Z')).to.equal('iso');
    expect(boundFormatOf('2024-07-01T00:00:00-04:00')).to.equal('iso-offset');
    expect(boundFormatOf('2024-06-30T23:59:59')).to.equal('iso-local');
    expect(boundFormatOf('1719792000')).to.equal('epoch-seconds');
    expect(boundFormatOf('1719792000000')).to.equal('epoch-millis');
    for (const no of ['2024-02-30', '100', 'any', '2024-07-01T25:00:00Z', '12345678901']) {
      expect(boundFormatOf(no), no).to.equal(undefined);
    }
  });

  it('decides a bound only from an operator in its name', () => {
    expect(boundKindOf('created[gte]')).to.equal('inclusive');
    expect(boundKindOf('created[lt]')).to.equal('exclusive');
    expect(boundKindOf('date_lte')).to.equal('inclusive');
    expect(boundKindOf('updated.gt')).to.equal('exclusive');
    for (const open of ['created_at_min', 'after', 'before', 'start_date', 'until']) {
      expect(boundKindOf(open), open).to.equal(undefined);
    }
  });

  it('reads the field a bound parameter names', () => {
    expect(fieldHintOf('created_at_min')).to.equal('created_at');
    expect(fieldHintOf('created[gte]')).to.equal('created');
    expect(fieldHintOf('updated_since')).to.equal('updated');
    expect(fieldHintOf('after')).to.equal(undefined);
  });

  it('sorts the query: the earlier time is the start, size, page, offset, fixed, credentials left out', () => {
    const facts = readQuery(
      new URLSearchParams(
        'before=2024-08-01T00:00:00&after=2024-06-30T23:59:59&dates_are_gmt=true&per_page=100&page=1&api_key=s3cret',
      ),
    );
    expect(facts.start).to.include({ name: 'after', format: 'iso-local', kind: undefined });
    expect(facts.end).to.include({ name: 'before', format: 'iso-local' });
    expect(facts.size).to.deep.equal({ name: 'per_page', value: '100' });
    expect(facts.page).to.deep.equal({ name: 'page', value: '1' });
    expect(facts.offset).to.equal(undefined);
    expect(facts.fixed).to.deep.equal([{ name: 'dates_are_gmt', value: 'true' }]);
    expect(facts.credentials).to.deep.equal(['api_key']);
  });

  it('takes a lone bound as the end when its name says so', () => {
    expect(readQuery(new URLSearchParams('until=2024-08-01')).end?.name).to.equal('until');
    expect(readQuery(new URLSearchParams('since=2024-08-01')).start?.name).to.equal('since');
    expect(readQuery(new URLSearchParams('offset=0&limit=50')).offset).to.deep.equal({ name: 'offset', value: '0' });
  });
});
