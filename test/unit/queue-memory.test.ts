import { inspect } from 'node:util';
import { expect } from 'chai';
import sinon from 'sinon';
import { decodeTask, type Delivery, type Log } from '@rdc/contracts';
import { MemoryQueue, type MemoryQueueOptions } from '@rdc/queues';
import { redeliveryDelay } from '@rdc/queues/backoff.js';
import { QUEUE_RUN_ID, pageTask, sync } from '../support/queue-fixtures.js';

interface LogLine {
  level: string;
  message: string;
  meta: Record<string, unknown> | undefined;
}

/** A Log that keeps what it is told. */
function recordingLog(lines: LogLine[] = []): Log & { lines: LogLine[] } {
  const at =
    (level: string) =>
    (message: string, meta?: Record<string, unknown>): void => {
      lines.push({ level, message, meta });
    };
  const log = {
    lines,
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    child: () => log,
  };
  return log;
}

describe('MemoryQueue', () => {
  let queue: MemoryQueue | undefined;

  function make(options: MemoryQueueOptions = {}): MemoryQueue {
    queue = new MemoryQueue(options);
    return queue;
  }

  afterEach(async () => {
    await queue?.stop();
    queue = undefined;
  });

  describe('options', () => {
    it('has documented defaults', () => {
      const q = make();
      expect(q.concurrency).to.equal(8);
      expect(q.maxDeliveryAttempts).to.equal(5);
      expect(q.retryBackoff).to.deep.equal({ minMs: 100, maxMs: 10_000 });
    });

    const bad: [MemoryQueueOptions, string][] = [
      [{ concurrency: 0 }, 'Expected `concurrency` to be a positive integer, got `0` (number)'],
      [{ concurrency: 1.5 }, 'Expected `concurrency` to be a positive integer, got `1.5` (number)'],
      [{ concurrency: '4' as unknown as number }, 'Expected `concurrency` to be a positive integer, got `4` (string)'],
      [{ concurrency: Number.NaN }, 'Expected `concurrency` to be a positive integer, got `NaN` (number)'],
      [{ maxDeliveryAttempts: -1 }, 'Expected `maxDeliveryAttempts` to be a positive integer, got `-1` (number)'],
      [{ retryBackoff: { minMs: -5 } }, 'Expected `retryBackoff.minMs` to be a finite number >= 0, got `-5` (number)'],
      [
        { retryBackoff: { minMs: 500, maxMs: 100 } },
        'Expected `retryBackoff.maxMs` to be a finite number >= 500, got `100` (number)',
      ],
      [
        { retryBackoff: { maxMs: Number.POSITIVE_INFINITY } },
        'Expected `retryBackoff.maxMs` to be a finite number >= 100, got `Infinity` (number)',
      ],
      [
        { onDeadLetter: 'nope' as unknown as () => Promise<void> },
        'Expected `onDeadLetter` to be a function, got `nope` (string)',
      ],
    ];
    for (const [options, message] of bad) {
      it(`rejects ${inspect(options, { breakLength: Infinity })}`, () => {
        expect(() => new MemoryQueue(options)).to.throw(TypeError, message);
      });
    }

    it('raises the default maxMs to a larger minMs', () => {
      expect(make({ retryBackoff: { minMs: 20_000 } }).retryBackoff).to.deep.equal({ minMs: 20_000, maxMs: 20_000 });
    });
  });

  describe('redeliveryDelay', () => {
    const backoff = { minMs: 100, maxMs: 1_000 };
    it('doubles from minMs and stops at maxMs', () => {
      expect([1, 2, 3, 4, 5, 6].map((attempt) => redeliveryDelay(attempt, backoff))).to.deep.equal([
        100, 200, 400, 800, 1_000, 1_000,
      ]);
    });
    it('stays finite for huge attempts and zero minMs', () => {
      expect(redeliveryDelay(10_000, backoff)).to.equal(1_000);
      expect(redeliveryDelay(10_000, { minMs: 0, maxMs: 0 })).to.equal(0);
    });
  });

  it('hands the consumer the encoded bytes and the attributes', async () => {
    const q = make();
    await q.publish(pageTask(4));
    const deliveries: Delivery[] = [];
    await q.start(
      sync((delivery) => {
        deliveries.push(delivery);
        return 'ack';
      }),
    );
    await q.idle();
    expect(deliveries).to.have.length(1);
    expect(decodeTask(deliveries[0]!.data)).to.deep.equal(pageTask(4));
    expect(deliveries[0]!.attributes).to.deep.equal({
      runId: QUEUE_RUN_ID,
      service: 'shop',
      endpoint: 'orders',
      kind: 'page',
      page: '4',
    });
    expect(q.counters).to.deep.equal({ published: 1, acked: 1, retried: 0, deadLettered: 0 });
  });

  it('waits out the exponential backoff before each redelivery', async () => {
    const clock = sinon.useFakeTimers();
    const q = make({ retryBackoff: { minMs: 100, maxMs: 10_000 } });
    const seen: [attempt: number, at: number][] = [];
    await q.publish(pageTask(1));
    await q.start(
      sync((delivery) => {
        seen.push([delivery.deliveryAttempt, Date.now()]);
        return delivery.deliveryAttempt < 3 ? 'retry' : 'ack';
      }),
    );
    await clock.tickAsync(99);
    expect(seen).to.have.length(1);
    expect(q.pending).to.equal(1);
    await clock.tickAsync(1);
    expect(seen).to.have.length(2);
    await clock.tickAsync(199);
    expect(seen).to.have.length(2);
    await clock.tickAsync(1);
    expect(seen).to.deep.equal([
      [1, 0],
      [2, 100],
      [3, 300],
    ]);
    await q.idle();
    expect(q.counters).to.include({ acked: 1, retried: 2 });
  });

  it('dead-letters after maxDeliveryAttempts with the last attempt number', async () => {
    const dead: Delivery[] = [];
    const q = make({
      maxDeliveryAttempts: 3,
      retryBackoff: { minMs: 0, maxMs: 0 },
      onDeadLetter: (delivery) => {
        dead.push(delivery);
        return Promise.resolve();
      },
    });
    await q.publish(pageTask(1));
    await q.start(sync(() => 'retry'));
    await q.idle();
    expect(dead.map((d) => d.deliveryAttempt)).to.deep.equal([3]);
    expect(q.counters).to.deep.equal({ published: 1, acked: 0, retried: 2, deadLettered: 1 });
  });

  it('logs and drops a dead letter without onDeadLetter, or when onDeadLetter rejects', async () => {
    const log = recordingLog();
    const q = make({ maxDeliveryAttempts: 1, log });
    await q.publish(pageTask(1));
    await q.start(sync(() => 'retry'));
    await q.idle();
    await q.stop();
    const failing = make({
      maxDeliveryAttempts: 1,
      log,
      onDeadLetter: () => Promise.reject(new Error('dead-letter store down')),
    });
    await failing.publish(pageTask(2));
    await failing.start(sync(() => 'retry'));
    await failing.idle();
    expect(log.lines.map((l) => [l.level, l.meta?.['page']])).to.deep.equal([
      ['error', '1'],
      ['error', '2'],
    ]);
    expect(log.lines[1]?.meta?.['error']).to.equal('dead-letter store down');
  });

  it('treats a thrown handler error (async or sync) as a retry and logs it', async () => {
    const log = recordingLog();
    const q = make({ log, retryBackoff: { minMs: 1, maxMs: 1 } });
    await q.publish(pageTask(1));
    await q.publish(pageTask(2));
    const attempts: string[] = [];
    await q.start((delivery) => {
      attempts.push(`${delivery.attributes['page']}#${delivery.deliveryAttempt}`);
      if (delivery.deliveryAttempt > 1) return Promise.resolve('ack');
      if (delivery.attributes['page'] === '1') throw new Error('sync boom');
      return Promise.reject(new Error('async boom'));
    });
    await q.idle();
    expect(attempts.sort()).to.deep.equal(['1#1', '1#2', '2#1', '2#2']);
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.meta?.['error'])).to.have.members([
      'sync boom',
      'async boom',
    ]);
  });

  it('a handler that throws on the last attempt is logged as dead-lettered, not as redelivered', async () => {
    const log = recordingLog();
    const q = make({ log, maxDeliveryAttempts: 2, retryBackoff: { minMs: 1, maxMs: 1 } });
    await q.publish(pageTask(1));
    await q.start(() => Promise.reject(new Error('boom')));
    await q.idle();
    expect(
      log.lines.filter((l) => l.level === 'warn').map((l) => [l.meta?.['deliveryAttempt'], l.message]),
    ).to.deep.equal([
      [1, 'queue handler threw; the message will be redelivered'],
      [2, 'queue handler threw; the message will be dead-lettered (last attempt)'],
    ]);
  });

  describe('idle()', () => {
    it('resolves at once when empty', async () => {
      await make().idle();
    });

    it('waits for queued, delayed and in-flight messages', async () => {
      const clock = sinon.useFakeTimers();
      const q = make({ retryBackoff: { minMs: 1_000, maxMs: 1_000 } });
      await q.publish(pageTask(1));
      let idle = false;
      void q.idle().then(() => (idle = true));
      await clock.tickAsync(10);
      expect(idle, 'queued, not started').to.equal(false);
      await q.start(sync((delivery) => (delivery.deliveryAttempt === 1 ? 'retry' : 'ack')));
      await clock.tickAsync(500);
      expect(idle, 'waiting out a backoff').to.equal(false);
      expect(q.pending).to.equal(1);
      await clock.tickAsync(500);
      expect(idle).to.equal(true);
    });
  });

  describe('stop()', () => {
    it('waits for in-flight work and keeps undelivered and delayed messages for the next start()', async () => {
      const clock = sinon.useFakeTimers();
      const q = make({ concurrency: 1, retryBackoff: { minMs: 60_000, maxMs: 60_000 } });
      for (let page = 1; page <= 3; page++) await q.publish(pageTask(page));
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const seen: string[] = [];
      let finished = 0;
      await q.start(async (delivery) => {
        const page = delivery.attributes['page'];
        seen.push(`${page}#${delivery.deliveryAttempt}`);
        if (page === '1') return 'retry'; // now waiting out 60 s
        await gate; // page 2 stays in flight
        finished++;
        return 'ack';
      });
      await clock.tickAsync(0);
      expect(seen).to.deep.equal(['1#1', '2#1']);
      let stopped = false;
      const stopping = q.stop().then(() => (stopped = true));
      await clock.tickAsync(1_000);
      expect(stopped, 'stop() waits for page 2').to.equal(false);
      release();
      await stopping;
      expect(finished).to.equal(1);
      expect(q.pending, 'page 1 (was delayed) and page 3 (never delivered)').to.equal(2);
      await clock.tickAsync(120_000);
      expect(seen, 'nothing delivered while stopped').to.have.length(2);

      await q.start(
        sync((delivery) => {
          seen.push(`${delivery.attributes['page']}#${delivery.deliveryAttempt}`);
          return 'ack';
        }),
      );
      await clock.tickAsync(0);
      await q.idle();
      expect(seen.slice(2).sort()).to.deep.equal(['1#2', '3#1']);
      expect(q.pending).to.equal(0);
    });

    it('rejects a second start() and publish() after close()', async () => {
      const q = make();
      await q.start(sync(() => 'ack'));
      let startError: unknown;
      await q.start(sync(() => 'ack')).catch((error: unknown) => (startError = error));
      expect(String(startError)).to.contain('start() while started');
      await q.close();
      let publishError: unknown;
      await q.publish(pageTask(1)).catch((error: unknown) => (publishError = error));
      expect(String(publishError)).to.contain('publish() after close()');
    });
  });

  it('keeps handling 10,000 messages with bounded concurrency', async () => {
    const q = make({ concurrency: 16 });
    let running = 0;
    let peak = 0;
    for (let page = 1; page <= 10_000; page++) await q.publish(pageTask(page));
    await q.start(async () => {
      running++;
      peak = Math.max(peak, running);
      await Promise.resolve();
      running--;
      return 'ack';
    });
    await q.idle();
    expect(q.counters.acked).to.equal(10_000);
    expect(peak).to.equal(16);
  });
});
