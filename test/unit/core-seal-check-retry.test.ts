import { expect } from 'chai';
import { encodeTask, silentLog, TransientError, type Delivery, type Log, type PageTask } from '@rdc/contracts';
import { makeRunId } from '@rdc/core';
import { processDelivery } from '@rdc/core/delivery/outcome-policy.js';
import { MemorySink } from '../support/fakes.js';

/**
 * A page whose completion check fails must not be acked as if its run's state were known:
 * the check is the only thing that seals the run once its last page lands.
 */
const window = { start: new Date('2024-07-01T00:00:00Z'), end: new Date('2024-07-02T00:00:00Z') };
const task: PageTask = {
  v: 1,
  kind: 'page',
  runId: makeRunId('shop', 'orders', window),
  service: 'shop',
  endpoint: 'orders',
  window: { start: window.start.toISOString(), end: window.end.toISOString() },
  pageSize: 10,
  page: 3,
  pages: 3,
  total: 25,
};
const landed = { outcome: 'landed' as const, key: 'shop/orders/page-000003.ndjson', records: 5 };

function deliver(deliveryAttempt: number, afterLanded: () => Promise<void>, log: Log = silentLog) {
  const delivery: Delivery = { id: `m-${deliveryAttempt}`, data: encodeTask(task), attributes: {}, deliveryAttempt };
  return processDelivery(delivery, {
    handle: () => Promise.resolve(landed),
    sink: new MemorySink(),
    log,
    maxDeliveryAttempts: 5,
    afterLanded,
  });
}

function recordingLog(lines: { level: string; message: string }[]): Log {
  const log: Log = {
    debug: (message) => void lines.push({ level: 'debug', message }),
    info: (message) => void lines.push({ level: 'info', message }),
    warn: (message) => void lines.push({ level: 'warn', message }),
    error: (message) => void lines.push({ level: 'error', message }),
    child: () => log,
  };
  return log;
}

describe('a completion check that fails after a page lands', () => {
  it('keeps the message, so its redelivery checks the run again', async () => {
    const out = await deliver(1, () => Promise.reject(new TransientError('storage list timed out')));
    expect(out.ack).to.equal('retry');
    expect(out.result).to.deep.equal(landed);
  });

  it('on the last attempt acks and logs an error naming the run and the command that seals it', async () => {
    const lines: { level: string; message: string }[] = [];
    const out = await deliver(
      5,
      () => Promise.reject(new TransientError('storage list timed out')),
      recordingLog(lines),
    );
    expect(out.ack).to.equal('ack');
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors).to.have.length(1);
    expect(errors[0]!.message)
      .to.include(task.runId)
      .and.include('npm run status --')
      .and.include('storage list timed out');
  });

  it('acks a page whose check succeeds', async () => {
    expect((await deliver(1, () => Promise.resolve())).ack).to.equal('ack');
  });
});
