import { expect } from 'chai';
import { PermanentError, recordLine } from '@rdc/contracts';
import { readRecords } from '@rdc/source/records.js';

/** What the checks validate and what lands in the bucket must be the same record. */
function read(text: string) {
  return readRecords(JSON.parse(text) as unknown, 'data', 'endpoints.orders.response.records', text);
}

describe('a record that gives one key twice', () => {
  for (const [name, text] of [
    ['its id', '{"data":[{"id":"a1","total":1},{"id":"b2","id":"b3","total":2}]}'],
    ['a nested field', '{"data":[{"id":"a1","customer":{"email":"x@example.com","email":"y@example.com"}}]}'],
    ['inside an array', '{"data":[{"id":"a1","lines":[{"sku":"s","sku":"t"}]}]}'],
  ] as const) {
    it(`fails its page permanently, naming the record: ${name}`, () => {
      expect(() => read(text)).to.throw(PermanentError, /record \d at "data" in the response body gives one key twice/);
    });
  }

  it('is not confused by colons and quotes inside strings, __proto__ keys or empty objects', () => {
    const text =
      '{"data":[{"id":"a:1","note":"say \\"k\\": v","__proto__":{"x":1},"meta":{},"tags":["a:b"]},{"id":"b","n":12345678901234567891}]}';
    const records = read(text);
    expect(records.map((r) => recordLine(r))).to.deep.equal([
      '{"id":"a:1","note":"say \\"k\\": v","__proto__":{"x":1},"meta":{},"tags":["a:b"]}',
      '{"id":"b","n":12345678901234567891}',
    ]);
  });
});
