import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  encodeTask,
  loadServices,
  PermanentError,
  silentLog,
  TransientError,
  type Delivery,
  type PageTask,
} from '@rdc/contracts';
import { dataKey, makeRunId, pageStem } from '@rdc/core';
import { pageRecordKey } from '@rdc/core/bucket-layout.js';
import { decideOutcome, processDelivery } from '@rdc/core/delivery/outcome-policy.js';
import { writeManifest } from '@rdc/core/state/manifest.js';
import { readPageRecord } from '@rdc/core/state/page-records.js';
import { handlePageTask } from '@rdc/core/task/handle-page.js';
import { FakeSource, makeRecords, MemorySink } from '../support/fakes.js';

export const fixtureConfigDir = join(fileURLToPath(new URL('.', import.meta.url)), '../../fixtures/services');

const window = { start: new Date('2024-07-01T00:00:00Z'), end: new Date('2024-07-02T00:00:00Z') };
const runId = makeRunId('shop', 'orders', window);

function task(page: number, over: Partial<PageTask> = {}): PageTask {
  return {
    v: 1,
    kind: 'page',
    runId,
    service: 'shop',
    endpoint: 'orders',
    window: { start: window.start.toISOString(), end: window.end.toISOString() },
    pageSize: 10,
    page,
    pages: 3,
    total: 25,
    ...over,
  };
}

function setup() {
  const catalog = loadServices(fixtureConfigDir);
  const source = new FakeSource(makeRecords(25));
  const sink = new MemorySink();
  return { catalog, source, sink, deps: { catalog, sourceFor: () => source, sink, log: silentLog } };
}

describe('page handler', () => {
  it('lands a page as NDJSON with its metadata', async () => {
    const { deps, sink } = setup();
    const result = await handlePageTask(task(3), deps);
    expect(result).to.include({ outcome: 'landed', records: 5 });
    const record = (await readPageRecord(sink, result.key))!;
    expect(record.parts.map((p) => p.dt)).to.deep.equal(['2024-07-01']);
    const stored = sink.objects.get(record.parts[0]!.key)!;
    const lines = stored.body.toString('utf8').trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).to.deep.equal([
      'rec_000021',
      'rec_000022',
      'rec_000023',
      'rec_000024',
      'rec_000025',
    ]);
    expect(stored.options.contentType).to.equal('application/x-ndjson');
    expect(stored.options.metadata).to.include({ runId, page: '3', records: '5', apiRequestId: 'req-3' });
  });

  it('refuses a page whose records lost their API text and hold an integer past 2^53, writing nothing', async () => {
    const { deps, source, sink } = setup();
    // A Source that hands on records without their text: JSON.stringify would write rounded digits.
    source.transform = (records) => records.map((r, i) => (i === 2 ? { ...r, amount: 2 ** 60 + 1 } : r));
    const error = await handlePageTask(task(1), deps).then(
      () => expect.fail('expected a rejection'),
      (thrown: unknown) => thrown as Error,
    );
    expect(error).to.be.instanceOf(PermanentError);
    expect(error.message).to.include('field amount holds 1152921504606847000').and.include('keepRecordText');
    expect([...sink.objects.keys()].filter((key) => key.includes('page-'))).to.deep.equal([]);
  });

  it('a part already there that holds other records is not counted as this page: the page fails, naming it', async () => {
    const { deps, sink } = setup();
    const landed = await handlePageTask(task(1), deps);
    const part = (await readPageRecord(sink, landed.key))!.parts[0]!.key;
    // Someone else's object under the part's key, and no page record yet.
    sink.objects.delete(landed.key);
    sink.objects.set(part, { body: Buffer.from('{"id":"other_1"}\n{"id":"other_2"}\n'), options: {} });
    const error = await handlePageTask(task(1), deps).then(
      () => expect.fail('expected a rejection'),
      (thrown: unknown) => thrown as Error,
    );
    expect(error).to.be.instanceOf(PermanentError);
    expect(error.message).to.include(part).and.include('with 2 records').and.include('Remove the page');
    expect(sink.objects.has(landed.key), 'no page record over the foreign part').to.equal(false);
  });

  it('answers a redelivery from the sink without calling the API again', async () => {
    const { deps, source, sink } = setup();
    await handlePageTask(task(1), deps);
    const again = await handlePageTask(task(1), deps);
    expect(again.outcome).to.equal('already-landed');
    expect(source.calls).to.have.length(1);
    expect(sink.writes).to.equal(3); // the run's encoding claim, the page's one part, then its page record
  });

  it('refuses a short page instead of writing it, naming run, page and counts', async () => {
    const { deps, source, sink } = setup();
    source.transform = (records) => records.slice(1);
    const error = await handlePageTask(task(1), deps).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TransientError);
    expect((error as Error).message)
      .to.include(runId)
      .and.include('page 1/3')
      .and.include('9 records')
      .and.include('expects 10');
    expect(sink.objects.size).to.equal(0);
  });

  it('refuses a page when the total changed since planning', async () => {
    const { deps, source, sink } = setup();
    source.reportTotal = (real) => real + 1;
    const error = await handlePageTask(task(2), deps).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TransientError);
    expect((error as Error).message)
      .to.include('planned 25')
      .and.include('now reports 26');
    expect(sink.objects.size).to.equal(0);
  });

  it('refuses records outside the window, duplicates and schema failures', async () => {
    const { deps, source } = setup();
    source.transform = (records) =>
      records.map((r, i) => (i === 0 ? { ...r, created_at: '2024-07-02T00:00:00.000Z' } : r));
    await handlePageTask(task(1), deps).then(
      () => expect.fail('accepted'),
      (e: Error) => expect(e.message).to.include('outside the window'),
    );
    source.transform = (records) => records.map((r, i) => (i === 1 ? { ...r, id: records[0]!.id } : r));
    await handlePageTask(task(1), deps).then(
      () => expect.fail('accepted'),
      (e: Error) => expect(e.message).to.include('repeats record id'),
    );
    source.transform = (records) => records.map((r, i) => (i === 2 ? { ...r, amount: 'ten' } : r));
    const schema = await handlePageTask(task(1), deps).catch((e: unknown) => e);
    expect(schema).to.be.instanceOf(PermanentError);
    expect((schema as Error).message)
      .to.include('Record 2')
      .and.include('amount');
  });

  it('refuses tasks for unknown endpoints or with a forged run id, before any I/O', async () => {
    const { deps, source, sink } = setup();
    await handlePageTask(task(1, { endpoint: 'refunds' }), deps).then(
      () => expect.fail('accepted'),
      (e: Error) =>
        expect(e).to.be.instanceOf(PermanentError).and.have.property('message').that.includes('shop/refunds'),
    );
    const forged = makeRunId('shop', 'orders', { start: window.start, end: new Date('2024-07-03T00:00:00Z') });
    await handlePageTask(task(1, { runId: forged }), deps).then(
      () => expect.fail('accepted'),
      (e: Error) => expect(e.message).to.include('does not match'),
    );
    expect(source.calls).to.have.length(0);
    expect(sink.objects.size).to.equal(0);
  });
  it('a page another delivery landed at the same time under another date fails, naming the part only this delivery wrote', async () => {
    const { deps, sink } = setup();
    // Delivery A landed page 1 when its records fell on the day before: part and page record under dt=2024-06-30.
    const other = new MemorySink();
    await handlePageTask(task(1), { ...deps, sink: other });
    const recordKey = pageRecordKey({ service: 'shop', endpoint: 'orders', runId }, pageStem(1));
    const put = sink.putIfAbsent.bind(sink);
    sink.putIfAbsent = async (key, body, options) => {
      if (key === recordKey) {
        for (const [k, { body: stored, options: opts }] of other.objects) {
          const moved = stored
            .toString('utf8')
            .replaceAll('dt=2024-07-01', 'dt=2024-06-30')
            .replaceAll('"dt":"2024-07-01"', '"dt":"2024-06-30"');
          sink.objects.set(k.replace('dt=2024-07-01', 'dt=2024-06-30'), { body: Buffer.from(moved), options: opts });
        }
      }
      return put(key, body, options);
    };
    const error = await handlePageTask(task(1), deps).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(PermanentError);
    const mine = [...sink.objects.keys()].filter((k) => /dt=2024-07-01\/.*page-000001\.ndjson$/.test(k));
    expect(mine).to.have.length(1);
    expect((error as Error).message)
      .to.include(mine[0])
      .and.include('counted twice')
      .and.include(`--resume ${runId}`);
  });

  it('a page another delivery landed at the same time with the same parts counts as already landed', async () => {
    const { deps, sink } = setup();
    const recordKey = pageRecordKey({ service: 'shop', endpoint: 'orders', runId }, pageStem(1));
    const put = sink.putIfAbsent.bind(sink);
    let raced = false;
    sink.putIfAbsent = async (key, body, options) => {
      if (key === recordKey && !raced) {
        raced = true;
        await put(key, body, options);
      }
      return put(key, body, options);
    };
    expect(await handlePageTask(task(1), deps)).to.include({ outcome: 'already-landed', records: 0 });
  });
});

describe('outcome policy', () => {
  it('maps results to one queue outcome each', () => {
    expect(decideOutcome(undefined, 1, 5)).to.equal('ack');
    expect(decideOutcome(new TransientError('503'), 1, 5)).to.equal('retry');
    expect(decideOutcome(new TransientError('503'), 5, 5)).to.equal('dead-letter');
    expect(decideOutcome(new PermanentError('404'), 1, 5)).to.equal('dead-letter');
    expect(decideOutcome(new Error('unclassified'), 1, 5)).to.equal('retry');
  });

  function delivery(data: Buffer, attempt = 1): Delivery {
    return { id: 'm-1', data, attributes: {}, deliveryAttempt: attempt };
  }

  it('acks a landed page and runs the completion hook', async () => {
    const { deps, sink } = setup();
    let hooked = 0;
    const out = await processDelivery(delivery(encodeTask(task(1))), {
      handle: (t) => handlePageTask(t as PageTask, deps),
      sink,
      log: silentLog,
      maxDeliveryAttempts: 5,
      afterLanded: () => {
        hooked++;
        return Promise.resolve();
      },
    });
    expect(out).to.include({ ack: 'ack', decision: 'ack' });
    expect(hooked).to.equal(1);
  });

  it('retries a transient failure, then dead-letters it on the last attempt and acks', async () => {
    const { deps, sink, source } = setup();
    const { kind: _kind, page: _page, ...common } = task(1);
    await writeManifest(sink, { ...common, plannedAt: window.start.toISOString(), sink: sink.url });
    const manifestKeys = [...sink.objects.keys()];
    source.transform = (r) => r.slice(1);
    const handle = (t: unknown) => handlePageTask(t as PageTask, deps);
    const first = await processDelivery(delivery(encodeTask(task(1)), 1), {
      handle,
      sink,
      log: silentLog,
      maxDeliveryAttempts: 3,
    });
    expect(first).to.include({ ack: 'retry', decision: 'retry' });
    expect([...sink.objects.keys()]).to.deep.equal(manifestKeys);
    const last = await processDelivery(delivery(encodeTask(task(1)), 3), {
      handle,
      sink,
      log: silentLog,
      maxDeliveryAttempts: 3,
    });
    expect(last).to.include({ ack: 'ack', decision: 'dead-letter' });
    const prefix = `_rdc/deadletter/shop/orders/run=${runId}/page-000001.m`;
    const deadKey = [...sink.objects.keys()].find((k) => k.startsWith(prefix) && k.endsWith('-a3.json'));
    const record = JSON.parse(sink.objects.get(deadKey!)!.body.toString('utf8')) as {
      task: PageTask;
      deliveryAttempt: number;
      error: { message: string };
    };
    expect(record.task.page).to.equal(1);
    expect(record.deliveryAttempt).to.equal(3);
    expect(record.error.message).to.include('9 records');
    expect(
      [...sink.objects.keys()].every((k) => k.startsWith('_rdc/deadletter/') || manifestKeys.includes(k)),
    ).to.equal(true);
  });

  it('dead-letters a poison message at once, under _rdc/deadletter/ only', async () => {
    const { sink } = setup();
    const out = await processDelivery(delivery(Buffer.from('{"v":1,"kind":"page"}')), {
      handle: () => expect.fail('handled a malformed task'),
      sink,
      log: silentLog,
      maxDeliveryAttempts: 5,
    });
    expect(out).to.include({ ack: 'ack', decision: 'dead-letter' });
    expect([...sink.objects.keys()]).to.have.length(1);
    expect([...sink.objects.keys()][0]).to.match(/^_rdc\/deadletter\/_malformed\/[0-9a-f]{32}\.json$/);
  });

  it('keeps the message when the dead-letter record cannot be written', async () => {
    const { sink } = setup();
    sink.putIfAbsent = () => Promise.reject(new Error('disk full'));
    const out = await processDelivery(delivery(Buffer.from('garbage')), {
      handle: () => expect.fail('handled'),
      sink,
      log: silentLog,
      maxDeliveryAttempts: 5,
    });
    expect(out.ack).to.equal('retry');
  });

  it('a landed page key is the one the naming module gives', async () => {
    const { deps, sink } = setup();
    const result = await handlePageTask(task(2), deps);
    const run = { service: 'shop', endpoint: 'orders', runId, window };
    expect(result.key).to.equal(pageRecordKey(run, pageStem(2)));
    expect(sink.objects.has(dataKey(run, '2024-07-01', pageStem(2)))).to.equal(true);
  });
});
