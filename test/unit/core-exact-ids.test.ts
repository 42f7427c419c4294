import { expect } from 'chai';
import { EndpointConfig, keepRecordText, TransientError } from '@rdc/contracts';
import { checkRecords } from '@rdc/core/task/validate-page.js';
import { idsOf, summarizeIds } from '@rdc/core/state/page-summary.js';
import { toNdjson } from '@rdc/core/task/write-page.js';

const endpoint = EndpointConfig.parse({
  path: '/orders',
  timestampField: 'ts',
  pagination: { style: 'starting-after', pageSize: 100 },
  schema: { id: 'integer', ts: 'datetime', amount: 'integer' },
});
const bounds = { start: '2024-07-01T00:00:00Z', end: '2024-07-02T00:00:00Z' };

/** Records as the source reads them: parsed, each keeping its text from the response. */
function fromApi(texts: string[]): Record<string, unknown>[] {
  return texts.map((text) => {
    const record = JSON.parse(text) as Record<string, unknown>;
    keepRecordText(record, text);
    return record;
  });
}

describe('ids by their exact text (64-bit ids)', () => {
  // Both parse to 9007199254740992: distinct ids to the API, one number to JSON.parse.
  const texts = [
    '{"id":9007199254740993,"ts":"2024-07-01T00:00:00Z","amount":90071992547409931}',
    '{"id":9007199254740992,"ts":"2024-07-01T00:00:01Z","amount":1}',
  ];

  it('two ids that round to one double are two ids, not a repeat; a real repeat still is', () => {
    const records = fromApi(texts);
    expect(records[0]!.id).to.equal(records[1]!.id);
    expect(() => checkRecords(records, endpoint, { bounds, where: 'page 1', context: {} })).not.to.throw();
    const repeated = fromApi([texts[0]!, texts[0]!]);
    expect(() => checkRecords(repeated, endpoint, { bounds, where: 'page 1', context: {} }))
      .to.throw(TransientError)
      .with.property('message')
      .that.includes('repeats record id 9007199254740993');
  });

  it('page summaries and the written lines keep every digit', () => {
    const records = fromApi(texts);
    expect(idsOf(records, 'id')).to.deep.equal(['9007199254740993', '9007199254740992']);
    expect(summarizeIds(idsOf(records, 'id'))).to.deep.equal({
      records: 2,
      distinct: 2,
      minId: '9007199254740992',
      maxId: '9007199254740993',
    });
    expect(toNdjson(records).toString('utf8')).to.equal(`${texts.join('\n')}\n`);
  });
});
