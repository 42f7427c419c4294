import { expect } from 'chai';
import { arrayItemTexts, exactId, keepRecordText, PermanentError, recordLine, scalarTextAt } from '@rdc/contracts';
import { firstInvalidUtf8 } from '@rdc/source/transport.js';

describe('records as the API sent them (JSON text)', () => {
  it('finds each record of the array at a dotted path, byte for byte, past strings with quotes and brackets', () => {
    const body =
      '{"meta":{"next":"a\\"]}"},"results":{"rows":[{"id":1800000000000000001,"s":"x\\\\","t":"}]{["},' +
      ' {"id":"b","n":[1,{"x":[]}]} ],"total":2}}';
    expect(arrayItemTexts(body, 'results.rows')).to.deep.equal([
      '{"id":1800000000000000001,"s":"x\\\\","t":"}]{["}',
      '{"id":"b","n":[1,{"x":[]}]}',
    ]);
    expect(arrayItemTexts('[{"a":1},{"a":2}]', '')).to.deep.equal(['{"a":1}', '{"a":2}']);
    expect(arrayItemTexts(body, 'results.total')).to.equal(undefined);
    expect(arrayItemTexts(body, 'nothing')).to.equal(undefined);
  });

  it('puts a pretty-printed record on one line, keeping every character inside its strings', () => {
    const body = '{\n  "data": [\n    {\n      "id": 1,\n      "note": "two  spaces, a \\n escape"\n    }\n  ]\n}';
    expect(arrayItemTexts(body, 'data')).to.deep.equal(['{"id":1,"note":"two  spaces, a \\n escape"}']);
  });

  it('reads the last of duplicate keys, as JSON.parse does, and keys written with escapes', () => {
    const body = '{"data":[1],"d\\u0061ta":[{"id":2}]}';
    expect(arrayItemTexts(body, 'data')).to.deep.equal(['{"id":2}']);
  });

  it('scalarTextAt: a number as its literal, a string as its value, anything else undefined', () => {
    const body = '{"next":12345678901234567891,"s":"a\\u00e9","o":{},"b":true}';
    expect(scalarTextAt(body, 'next')).to.equal('12345678901234567891');
    expect(scalarTextAt(body, 's')).to.equal('aé');
    expect(scalarTextAt(body, 'o')).to.equal(undefined);
    expect(scalarTextAt(body, 'b')).to.equal(undefined);
  });

  it('exactId: 64-bit ids by the digits sent, safe integers and strings as they are', () => {
    const text = '{"id":9007199254740993,"x.y":18446744073709551615}';
    const record = JSON.parse(text) as Record<string, unknown>;
    expect(String(record.id)).to.equal('9007199254740992');
    expect(exactId(record, 'id', text)).to.equal('9007199254740993');
    expect(exactId(record, 'x.y', text)).to.equal('18446744073709551615');
    keepRecordText(record, text);
    expect(exactId(record, 'id')).to.equal('9007199254740993');
    expect(recordLine(record)).to.equal(text);
    expect(exactId({ id: 42 }, 'id')).to.equal('42');
    expect(exactId({ id: 'a"b' }, 'id')).to.equal('a"b');
  });

  it('recordLine: a record without its API text is written as serialised, unless that could change its digits', () => {
    expect(recordLine({ id: 42, amount: 1.5, tags: ['a'], nested: { n: -9007199254740991 } })).to.equal(
      '{"id":42,"amount":1.5,"tags":["a"],"nested":{"n":-9007199254740991}}',
    );
    const text = '{"id":7,"lines":[{"sku":"a"},{"x.y":18446744073709551615}]}';
    const record = JSON.parse(text) as Record<string, unknown>;
    keepRecordText(record, text);
    expect(recordLine(record)).to.equal(text);
    // A copy lost its text, and JSON.stringify would write 18446744073709552000: a loud, named error.
    expect(() => recordLine({ ...record }))
      .to.throw(PermanentError, 'lines[1]["x.y"] holds 18446744073709552000')
      .with.property('message')
      .that.includes('keepRecordText');
    // Nested deeper than a recursive walk could go: still found, and the message stays short.
    let deep: unknown = { big: 2 ** 60 };
    for (let i = 0; i < 50_000; i += 1) deep = { next: deep };
    const error = (() => {
      try {
        return recordLine({ wrap: [deep] });
      } catch (thrown) {
        return thrown as Error;
      }
    })();
    expect(error)
      .to.be.instanceOf(PermanentError)
      .with.property('message')
      .that.includes('.big holds 1152921504606847000');
    expect((error as Error).message.length).to.be.below(1_000);
  });

  it('firstInvalidUtf8: the offset of the first byte that is not UTF-8', () => {
    const ok = Buffer.from('aé€😀', 'utf8');
    expect(firstInvalidUtf8(ok)).to.equal(ok.length);
    expect(firstInvalidUtf8(Buffer.concat([Buffer.from('{"id":"h_'), Buffer.from([0xff, 0xfe])]))).to.equal(9);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xe2, 0x82]))).to.equal(1);
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).to.equal(0);
    expect(firstInvalidUtf8(Buffer.from([0xc0, 0x80]))).to.equal(0);
  });
});
