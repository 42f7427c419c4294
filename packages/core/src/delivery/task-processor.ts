import { decodeTask, type Delivery, type TaskPublisher } from '@rdc/contracts';
import { allowListedEndpoint } from '../task/allow-list.js';
import { handleTask } from './handle-task.js';
import { createTaskCaches, type HandlerDeps, type TaskCaches } from '../task/handler-deps.js';
import { processDelivery, type Processed } from './outcome-policy.js';
import { checkAgainstPlan } from './plan-check.js';
import { createSealStep } from './seal-step.js';
import { countingSink, type WriteStats } from './counting-sink.js';

export interface TaskProcessorDeps extends Omit<HandlerDeps, 'caches'> {
  /** Attempts after which a failing task is dead-lettered (match the subscription's policy). */
  maxDeliveryAttempts: number;
  /**
   * After a page lands, check whether it was its run's last and seal the run
   * (a few small list calls a page, see state/block-seal.ts). The embedded runner turns it
   * off: it seals once, when its queue is drained. @default true
   */
  sealRuns?: boolean;
  /** Compact every sealed run into Parquet, whatever its endpoint's config says. @default false */
  parquet?: boolean;
  /** Where the sealer of a run publishes its compaction tasks (one per dt= partition). */
  compactions?: TaskPublisher;
}

/**
 * Works one delivery end to end. The transport adapts its message to a
 * Delivery and maps `ack` back: the push server answers 204 or 503, the pull
 * consumer acks or nacks, the in-process queue settles or retries.
 * `undecodable`: the transport could not recover the message's bytes (e.g. a
 * push whose data is not base64); the delivery is dead-lettered as malformed.
 */
export interface TaskProcessor {
  (delivery: Delivery, undecodable?: Error): Promise<Processed>;
  /** What it keeps between deliveries: manifests, claimed encodings, compiled schemas. */
  readonly caches: TaskCaches;
  /** The page files it wrote and their bytes, for summaries and activity lines. */
  readonly writes: WriteStats;
}

/**
 * The one pipeline every transport runs a delivery through:
 * 1. decode the message (malformed: dead-lettered, acked);
 * 2. find the task's endpoint in the config's allow-list, once;
 * 3. check a page task against its run's manifest (stale or forged: dead-lettered);
 * 4. fetch, validate and land the page or slice;
 * 5. map the result to ack, retry or dead-letter (outcome-policy.ts);
 * 6. after a landing, the completion step: seal the run when its last page is in
 *    (and publish its compaction tasks, when its endpoint is compacted).
 */
export function createTaskProcessor(deps: TaskProcessorDeps): TaskProcessor {
  const { sink, stats: writes } = countingSink(deps.sink);
  const caches = createTaskCaches(sink);
  const handlerDeps: HandlerDeps = { ...deps, sink, caches };
  const seal =
    deps.sealRuns === false
      ? undefined
      : createSealStep({
          manifests: caches.manifests,
          catalog: deps.catalog,
          log: deps.log,
          ...(deps.parquet !== undefined ? { parquet: deps.parquet } : {}),
          ...(deps.compactions ? { compactions: deps.compactions } : {}),
        });
  const processor = (delivery: Delivery, undecodable?: Error): Promise<Processed> =>
    processDelivery(delivery, {
      decode: (d) => {
        if (undecodable) throw undecodable;
        return decodeTask(d.data, `Message ${d.id}`);
      },
      allowList: (task) => allowListedEndpoint(task, deps.catalog),
      handle: async (task, endpoint) => {
        await checkAgainstPlan(task, caches.manifests);
        return handleTask(task, handlerDeps, endpoint);
      },
      sink,
      manifests: caches.manifests,
      log: deps.log,
      maxDeliveryAttempts: deps.maxDeliveryAttempts,
      ...(seal ? { afterLanded: (task, result) => seal(task, result) } : {}),
    });
  return Object.assign(processor, { caches, writes });
}
