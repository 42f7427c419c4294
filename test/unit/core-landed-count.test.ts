import { expect } from 'chai';
import { loadServices, silentLog, type PageTask } from '@rdc/contracts';
import { makeRunId } from '@rdc/core';
import { handlePageTask } from '@rdc/core/task/handle-page.js';
import { FakeSource, makeRecords, MemorySink } from '../support/fakes.js';
import { fixtureConfigDir } from './core-handler.test.js';

const window = { start: new Date('2024-07-01T00:00:00Z'), end: new Date('2024-07-02T00:00:00Z') };
const task: PageTask = {
  v: 1,
  kind: 'page',
  runId: makeRunId('shop', 'orders', window),
  service: 'shop',
  endpoint: 'orders',
  window: { start: window.start.toISOString(), end: window.end.toISOString() },
  pageSize: 10,
  page: 2,
  pages: 3,
  total: 25,
};

/** A sink whose existence checks come too early: another writer lands the page in between. */
class RacingSink extends MemorySink {
  override exists(): Promise<boolean> {
    return Promise.resolve(false);
  }
}

describe('records counted as landed by this process', () => {
  it('a page another writer landed first counts 0 records for this call', async () => {
    const catalog = loadServices(fixtureConfigDir);
    const source = new FakeSource(makeRecords(25));
    const sink = new RacingSink();
    const deps = { catalog, sourceFor: () => source, sink, log: silentLog };
    const other = await handlePageTask(task, deps);
    expect(other).to.include({ outcome: 'landed', records: 10 });
    const mine = await handlePageTask(task, deps);
    expect(mine).to.include({ outcome: 'already-landed', records: 0 });
  });
});
