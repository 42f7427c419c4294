import {
  encodeTask,
  errorMessage,
  silentLog,
  taskAttributes,
  type Ack,
  type Delivery,
  type DeliveryHandler,
  type Log,
  type Task,
  type TaskConsumer,
  type TaskPublisher,
} from '@rdc/contracts';
import { redeliveryDelay, type RetryBackoff } from './backoff.js';
import { MEMORY_QUEUE_DEFAULTS } from './defaults.js';
import { finiteAtLeast, positiveInteger } from './validate.js';

export interface MemoryQueueOptions {
  /**
   * Deliveries handled at once.
   * @default 8
   */
  concurrency?: number;
  /**
   * Deliveries of one message before it goes to `onDeadLetter`, like a Pub/Sub
   * dead-letter policy's `maxDeliveryAttempts`.
   * @default 5
   * @example { maxDeliveryAttempts: 10 }
   */
  maxDeliveryAttempts?: number;
  /**
   * Exponential wait before redelivering a message that was retried.
   * @default { minMs: 100, maxMs: 10_000 }
   */
  retryBackoff?: Partial<RetryBackoff>;
  /**
   * Receives a message after its last delivery attempt asked for a retry. Without it the
   * message is logged and dropped. If it rejects, the error is logged and the message is dropped.
   */
  onDeadLetter?: (delivery: Delivery) => Promise<void>;
  log?: Log;
}

export interface MemoryQueueCounters {
  /** Tasks published. */
  published: number;
  /** Deliveries the handler acked. */
  acked: number;
  /** Redeliveries scheduled after a 'retry' or a thrown handler error. */
  retried: number;
  /** Messages that ran out of delivery attempts. */
  deadLettered: number;
}

interface Stored {
  id: string;
  data: Buffer;
  attributes: Record<string, string>;
  /** The delivery number this message gets next (1 on first delivery). */
  attempt: number;
}

/**
 * The in-process queue of the embedded run: a TaskPublisher and a TaskConsumer in one.
 * Messages are stored encoded, so the consumer decodes them exactly as it would a
 * Pub/Sub message, and 'retry', backoff and dead-lettering mirror a Pub/Sub
 * subscription with a retry policy and a dead-letter policy.
 */
export class MemoryQueue implements TaskPublisher, TaskConsumer {
  readonly concurrency: number;
  readonly maxDeliveryAttempts: number;
  readonly retryBackoff: Readonly<RetryBackoff>;

  readonly #onDeadLetter: ((delivery: Delivery) => Promise<void>) | undefined;
  readonly #log: Log;
  /** Ready messages: a FIFO array read from `#head`, compacted as it drains. */
  #ready: (Stored | undefined)[] = [];
  #head = 0;
  readonly #delayed = new Map<NodeJS.Timeout, Stored>();
  readonly #inFlight = new Set<Promise<void>>();
  #idleWaiters: (() => void)[] = [];
  #handler: DeliveryHandler | undefined;
  #stopping = false;
  #closed = false;
  #nextId = 1;
  readonly #counters: MemoryQueueCounters = { published: 0, acked: 0, retried: 0, deadLettered: 0 };

  constructor(options: MemoryQueueOptions = {}) {
    this.concurrency = positiveInteger('concurrency', options.concurrency ?? MEMORY_QUEUE_DEFAULTS.concurrency);
    this.maxDeliveryAttempts = positiveInteger(
      'maxDeliveryAttempts',
      options.maxDeliveryAttempts ?? MEMORY_QUEUE_DEFAULTS.maxDeliveryAttempts,
    );
    const minMs = finiteAtLeast(
      'retryBackoff.minMs',
      options.retryBackoff?.minMs ?? MEMORY_QUEUE_DEFAULTS.retryBackoff.minMs,
      0,
    );
    const maxMs = finiteAtLeast(
      'retryBackoff.maxMs',
      options.retryBackoff?.maxMs ?? Math.max(minMs, MEMORY_QUEUE_DEFAULTS.retryBackoff.maxMs),
      minMs,
    );
    this.retryBackoff = Object.freeze({ minMs, maxMs });
    if (options.onDeadLetter !== undefined && typeof options.onDeadLetter !== 'function') {
      const v: unknown = options.onDeadLetter;
      throw new TypeError(`Expected \`onDeadLetter\` to be a function, got \`${String(v)}\` (${typeof v})`);
    }
    this.#onDeadLetter = options.onDeadLetter;
    this.#log = options.log ?? silentLog;
  }

  /** Messages not yet handed to the handler: queued plus waiting out a backoff. */
  get pending(): number {
    return this.#ready.length - this.#head + this.#delayed.size;
  }

  /** Deliveries being handled right now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** A snapshot of the counters, for progress bars. */
  get counters(): MemoryQueueCounters {
    return { ...this.#counters };
  }

  publish(task: Task): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('MemoryQueue: publish() after close()'));
    this.#push({ id: String(this.#nextId++), data: encodeTask(task), attributes: taskAttributes(task), attempt: 1 });
    this.#counters.published++;
    this.#pump();
    return Promise.resolve();
  }

  /** Published tasks are on the queue as soon as publish() resolves; nothing to wait for. */
  flush(): Promise<void> {
    return Promise.resolve();
  }

  /** Closes the publishing side only: consumers keep draining what was published. */
  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  start(handler: DeliveryHandler): Promise<void> {
    if (this.#handler) return Promise.reject(new Error('MemoryQueue: start() while started or stopping'));
    this.#handler = handler;
    this.#stopping = false;
    this.#pump();
    return Promise.resolve();
  }

  /**
   * Stops taking work and waits for in-flight deliveries. Messages waiting out a
   * backoff go back on the queue, so `pending` counts every undelivered message and
   * a later start() delivers them.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const [timer, stored] of this.#delayed) {
      clearTimeout(timer);
      this.#push(stored);
    }
    this.#delayed.clear();
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
    this.#handler = undefined;
  }

  /** Resolves when nothing is queued, waiting out a backoff or being handled. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #isIdle(): boolean {
    return this.pending === 0 && this.#inFlight.size === 0;
  }

  #checkIdle(): void {
    if (!this.#isIdle() || this.#idleWaiters.length === 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #push(stored: Stored): void {
    this.#ready.push(stored);
  }

  #shift(): Stored | undefined {
    const stored = this.#ready[this.#head];
    if (stored === undefined) return undefined;
    this.#ready[this.#head] = undefined; // let the GC have it
    this.#head++;
    if (this.#head === this.#ready.length) {
      this.#ready = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#ready.length) {
      this.#ready = this.#ready.slice(this.#head);
      this.#head = 0;
    }
    return stored;
  }

  #pump(): void {
    const handler = this.#handler;
    while (handler && !this.#stopping && this.#inFlight.size < this.concurrency) {
      const stored = this.#shift();
      if (!stored) break;
      const run: Promise<void> = this.#deliver(handler, stored).finally(() => {
        this.#inFlight.delete(run);
        this.#pump();
        this.#checkIdle();
      });
      this.#inFlight.add(run);
    }
  }

  async #deliver(handler: DeliveryHandler, stored: Stored): Promise<void> {
    const delivery: Delivery = {
      id: stored.id,
      data: stored.data,
      attributes: { ...stored.attributes },
      deliveryAttempt: stored.attempt,
    };
    let outcome: Ack;
    try {
      outcome = await handler(delivery);
    } catch (error) {
      // A throwing handler is a bug or an unclassified failure: retry it, never crash.
      const next = stored.attempt >= this.maxDeliveryAttempts ? 'dead-lettered (last attempt)' : 'redelivered';
      this.#log.warn(`queue handler threw; the message will be ${next}`, {
        messageId: stored.id,
        deliveryAttempt: stored.attempt,
        error: errorMessage(error),
      });
      outcome = 'retry';
    }
    if (outcome === 'ack') {
      this.#counters.acked++;
      return;
    }
    if (stored.attempt >= this.maxDeliveryAttempts) {
      await this.#deadLetter(delivery);
      return;
    }
    this.#counters.retried++;
    this.#redeliverLater(
      { ...stored, attempt: stored.attempt + 1 },
      redeliveryDelay(stored.attempt, this.retryBackoff),
    );
  }

  #redeliverLater(stored: Stored, delayMs: number): void {
    if (this.#stopping) {
      this.#push(stored);
      return;
    }
    const timer = setTimeout(() => {
      this.#delayed.delete(timer);
      this.#push(stored);
      this.#pump();
    }, delayMs);
    this.#delayed.set(timer, stored);
  }

  async #deadLetter(delivery: Delivery): Promise<void> {
    this.#counters.deadLettered++;
    const meta = { messageId: delivery.id, deliveryAttempt: delivery.deliveryAttempt, ...delivery.attributes };
    if (!this.#onDeadLetter) {
      this.#log.error('message ran out of delivery attempts and was dropped (no onDeadLetter)', meta);
      return;
    }
    try {
      await this.#onDeadLetter(delivery);
    } catch (error) {
      this.#log.error('onDeadLetter failed; the message was dropped', { ...meta, error: errorMessage(error) });
    }
  }
}
