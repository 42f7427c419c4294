import { expect } from 'chai';
import {
  encodeTask,
  PermanentError,
  silentLog,
  TASK_VERSION,
  type Delivery,
  type Log,
  type PageTask,
  type PutOptions,
  type PutResult,
} from '@rdc/contracts';
import { makeRunId, runStatus, type RunManifest } from '@rdc/core';
import { processDelivery } from '@rdc/core/delivery/outcome-policy.js';
import { writeManifest } from '@rdc/core/state/manifest.js';
import { MemorySink } from '../support/fakes.js';

const window = { start: new Date('2024-07-01T00:00:00Z'), end: new Date('2024-07-02T00:00:00Z') };
const runId = makeRunId('shop', 'orders', window);
const task: PageTask = {
  v: 1,
  kind: 'page',
  runId,
  service: 'shop',
  endpoint: 'orders',
  window: { start: window.start.toISOString(), end: window.end.toISOString() },
  pageSize: 10,
  page: 2,
  pages: 3,
  total: 25,
};
const manifest: RunManifest = {
  v: 1,
  runId,
  service: 'shop',
  endpoint: 'orders',
  window: task.window,
  pageSize: 10,
  total: 25,
  pages: 3,
  plannedAt: window.start.toISOString(),
  sink: 'mem://test',
};

const delivery = (id: string, data: Buffer, deliveryAttempt = 1): Delivery => ({
  id,
  data,
  attributes: {},
  deliveryAttempt,
});

/** Processes a delivery whose handling fails permanently with `message`. */
function fail(sink: MemorySink, d: Delivery, message: string, log: Log = silentLog) {
  return processDelivery(d, {
    handle: () => Promise.reject(new PermanentError(message)),
    sink,
    log,
    maxDeliveryAttempts: 5,
  });
}

const keys = (sink: MemorySink): string[] => [...sink.objects.keys()].sort();
const deadKeys = (sink: MemorySink): string[] => keys(sink).filter((k) => k.startsWith('_rdc/deadletter/'));
const body = (sink: MemorySink, key: string) =>
  JSON.parse(sink.objects.get(key)!.body.toString('utf8')) as { messageId: string; error: { message: string } };

describe('dead-letter records', () => {
  it('are write-once per message and attempt: another message for the same page cannot overwrite a record', async () => {
    const sink = new MemorySink();
    await writeManifest(sink, manifest);
    await fail(sink, delivery('real-1', encodeTask(task), 5), 'the real failure');
    await fail(sink, delivery('forged-9', encodeTask(task), 5), 'a forged failure');
    // The same message and attempt again (its ack was lost): the first record stays.
    await fail(sink, delivery('real-1', encodeTask(task), 5), 'a later, different story');
    const dead = deadKeys(sink);
    expect(dead).to.have.length(2);
    const records = dead.map((k) => body(sink, k));
    expect(records.map((r) => [r.messageId, r.error.message]).sort()).to.deep.equal([
      ['forged-9', 'a forged failure'],
      ['real-1', 'the real failure'],
    ]);
    const status = await runStatus(sink, manifest);
    expect(status.deadLetteredPages).to.deep.equal([2]);
  });

  it('a task for a run that was never planned leaves nothing under any run folder', async () => {
    const sink = new MemorySink();
    await fail(sink, delivery('ghost-1', encodeTask(task), 5), 'Run has no manifest');
    const dead = deadKeys(sink);
    expect(dead).to.have.length(1);
    expect(dead[0]).to.match(/^_rdc\/deadletter\/_unplanned\/[0-9a-f]{32}\.json$/);
    expect(keys(sink).some((k) => k.includes('run='))).to.equal(false);
  });

  it('malformed messages: one bounded record per distinct message id', async () => {
    const sink = new MemorySink();
    const huge = Buffer.alloc(1_000_000, 0x7b);
    for (const id of ['bad-1', 'bad-2', 'bad-1', 'bad-2', 'bad-1']) await fail(sink, delivery(id, huge), 'unused');
    const dead = deadKeys(sink);
    expect(dead).to.have.length(2);
    expect(dead.every((k) => /^_rdc\/deadletter\/_malformed\/[0-9a-f]{32}\.json$/.test(k))).to.equal(true);
    for (const key of dead) expect(sink.objects.get(key)!.body.length).to.be.below(8_000);
  });

  it('a failed record write keeps the message and tells both errors', async () => {
    class FullSink extends MemorySink {
      override putIfAbsent(key: string, data: Uint8Array, options?: PutOptions): Promise<PutResult> {
        if (key.startsWith('_rdc/deadletter/'))
          return Promise.reject(new PermanentError('ENOSPC: no space left on device'));
        return super.putIfAbsent(key, data, options);
      }
    }
    const sink = new FullSink();
    await writeManifest(sink, manifest);
    const lines: string[] = [];
    const log: Log = {
      ...silentLog,
      error: (message: string) => void lines.push(message),
      child: () => log,
    };
    const out = await fail(sink, delivery('m-1', encodeTask(task), 5), 'schema mismatch on page 2', log);
    expect(out.ack).to.equal('retry');
    expect(lines.join('\n')).to.include('schema mismatch on page 2').and.include('ENOSPC');
  });

  it('a task of a newer message version is dead-lettered on its first delivery, named, and never handled', async () => {
    const sink = new MemorySink();
    await writeManifest(sink, manifest);
    const errors: string[] = [];
    const log: Log = { ...silentLog, error: (msg: string) => void errors.push(msg), child: () => log };
    let handled = 0;
    const newer = Buffer.from(JSON.stringify({ ...task, v: TASK_VERSION + 1 }));
    const out = await processDelivery(delivery('from-the-future', newer, 1), {
      handle: () => {
        handled++;
        return Promise.reject(new Error('must not be called'));
      },
      sink,
      log,
      maxDeliveryAttempts: 5,
    });
    expect(handled).to.equal(0);
    expect(out.decision).to.equal('dead-letter');
    expect(out.ack).to.equal('ack');
    const dead = deadKeys(sink);
    expect(dead).to.have.length(1);
    const record = JSON.parse(sink.objects.get(dead[0]!)!.body.toString('utf8')) as {
      error: { name: string; retryable: boolean; message: string };
    };
    expect(record.error.name).to.equal('UnsupportedTaskVersionError');
    expect(record.error.retryable).to.equal(false);
    expect(errors.join('\n'))
      .to.include(`UnsupportedTaskVersionError`)
      .and.include(`version ${TASK_VERSION + 1}`);
  });
});
