import { expect } from 'chai';
import { PermanentError } from '@rdc/contracts';
import { compactionDates } from '@rdc/core/compact/compact-run.js';
import { parseMicros, parseRecordLine } from '@rdc/core/compact/exact-json.js';
import { IdDigest } from '@rdc/core/compact/id-digest.js';
import { parquetLayout } from '@rdc/core/compact/parquet-schema.js';

describe('compaction: reading records exactly and checking ids', () => {
  it('keeps integers past 2^53 exact, and reads ordinary lines as JSON.parse does', () => {
    const big = parseRecordLine(
      '{"id":18446744073709551615,"n":-9007199254740993,"x":1.5e3,"s":"12345678901234567890"}',
    );
    expect(big.id).to.equal(18446744073709551615n);
    expect(big.n).to.equal(-9007199254740993n);
    expect(big.x).to.equal(1500);
    expect(big.s).to.equal('12345678901234567890');
    const plain = '{"id":42,"a":[1,{"b":null}],"t":"\\u00e9\\"q"}';
    expect(parseRecordLine(plain)).to.deep.equal(JSON.parse(plain));
    // A __proto__ field is data, not a prototype, on the exact path too.
    const proto = parseRecordLine('{"id":12345678901234567,"__proto__":{"polluted":true}}');
    expect(Object.hasOwn(proto, '__proto__')).to.equal(true);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    expect(() => parseRecordLine('{"id":12345678901234567,')).to.throw(SyntaxError);
    expect(() => parseRecordLine(`${'['.repeat(300)}1234567890123456${']'.repeat(300)}`)).to.throw(
      SyntaxError,
      /nesting/,
    );
  });

  it('reads date-times to the microsecond, in any offset', () => {
    expect(parseMicros('2024-07-01T00:00:00Z')).to.equal(1_719_792_000_000_000n);
    expect(parseMicros('2024-07-01T00:00:00.123456Z')).to.equal(1_719_792_000_123_456n);
    expect(parseMicros('2024-07-01T02:00:00.1+02:00')).to.equal(1_719_792_000_100_000n);
    expect(parseMicros('2024-07-01T00:00:00.1234567Z')).to.equal(1_719_792_000_123_456n);
    expect(parseMicros('2024-07-01 00:00:00')).to.equal(undefined);
  });

  it('an id digest depends on the multiset of ids, not their order', () => {
    const of = (ids: string[]): string => {
      const d = new IdDigest();
      for (const id of ids) d.add(id);
      return d.toString();
    };
    expect(of(['a', 'b', 'b', 'c'])).to.equal(of(['b', 'c', 'b', 'a']));
    expect(of(['a', 'b', 'b', 'c'])).to.not.equal(of(['a', 'b', 'c', 'c']));
    expect(of(['a', 'b'])).to.not.equal(of(['a', 'b', 'b']));
    expect(of(['1', '2'])).to.not.equal(of(['12']));
  });

  it('one compaction date per UTC day the window touches', () => {
    const w = (s: string, e: string) => ({ start: new Date(s), end: new Date(e) });
    expect(compactionDates(w('2024-07-01T00:00:00Z', '2024-07-03T00:00:00Z'))).to.deep.equal([
      '2024-07-01',
      '2024-07-02',
    ]);
    expect(compactionDates(w('2024-07-01T23:00:00Z', '2024-07-02T00:00:01Z'))).to.deep.equal([
      '2024-07-01',
      '2024-07-02',
    ]);
    expect(compactionDates(w('2024-12-31T12:00:00Z', '2025-01-01T00:00:00Z'))).to.deep.equal(['2024-12-31']);
  });

  it('refuses a value the schema does not allow, naming the field and row, rather than write it', () => {
    const layout = parquetLayout({ id: 'string', at: 'datetime', n: 'integer?', items: [{ q: 'integer' }] });
    const column = (name: string) => layout.columns.find((c) => c.name === name)!;
    expect(column('n').convert(null, 'n')).to.equal(undefined);
    expect(column('n').convert(12345678901234567890n, 'n')).to.equal(12345678901234567890n);
    expect(() => column('at').convert('yesterday', 'at (row 3)')).to.throw(
      PermanentError,
      /at \(row 3\) is "yesterday"/,
    );
    expect(() => column('items').convert([{ q: 1.5 }], 'items')).to.throw(PermanentError, /items\[0\]\.q/);
    expect(() => column('id').convert(undefined, 'id')).to.throw(PermanentError, /a required value/);
  });
});
