/**
 * Every default of the queues package, in one place.
 *
 * The Pub/Sub numbers are tuned for the planner's workload: a tight loop that
 * publishes up to ~100k small (< 4 KiB) task messages, then waits for them all.
 */

export const MEMORY_QUEUE_DEFAULTS = {
  /** Deliveries handled at once. */
  concurrency: 8,
  /** Deliveries of one message before it is dead-lettered (Pub/Sub's own default is 5). */
  maxDeliveryAttempts: 5,
  /** Exponential redelivery backoff after a 'retry', like a Pub/Sub retry policy. */
  retryBackoff: { minMs: 100, maxMs: 10_000 },
} as const;

/**
 * Publisher batching. 1,000 messages is the Publish API's per-request cap; a task
 * is at most 4 KiB (MAX_TASK_BYTES), so a full batch is at most ~4.5 MB with its
 * attributes, and 5 MiB lets that batch go in one request while staying well under
 * the 10 MB request limit. The planner publishes in a tight loop, so batches fill
 * by count; 20 ms only bounds how long the tail of a plan waits before it is sent.
 */
export const PUBSUB_BATCHING_DEFAULTS = {
  maxMessages: 1_000,
  maxBytes: 5 * 1024 * 1024,
  maxMilliseconds: 20,
} as const;

/**
 * Publisher flow control: at most this much is buffered or in flight, so a 100k-task
 * plan runs in bounded memory. Two full batches keep the pipe busy: one is being
 * acknowledged while the next fills. More buys no throughput and costs memory: each
 * unconfirmed task outlives a young-generation GC, so 5,000 of them pushed the
 * planner's peak RSS from ~215 MB to ~265 MB for 100k tasks (bench S3). The byte cap
 * only matters for unusually large tasks.
 */
export const PUBSUB_FLOW_CONTROL_DEFAULTS = {
  maxOutstandingMessages: 2_000,
  maxOutstandingBytes: 32 * 1024 * 1024,
} as const;

export const PUBSUB_CONSUMER_DEFAULTS = {
  /** Handlers running at once (and messages leased at once: allowExcessMessages is off). */
  concurrency: 8,
  /**
   * Acks (and lease extensions) are sent in batches at most this old. The lease count is
   * the concurrency, and Pub/Sub sends the next message only once it has the ack, so the
   * client's own default (100 ms) left every slot idle that long after each page: with
   * 100 ms pages and 16 slots a worker ran at ~75 pages/s instead of ~140 (bench S1 (c) pull).
   */
  ackBatchMaxMilliseconds: 10,
} as const;
