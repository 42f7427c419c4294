import { createHash } from 'node:crypto';
import {
  decodeTask,
  errorMessage,
  isRetryable,
  taskLabel,
  type Ack,
  type Delivery,
  type EndpointConfig,
  type Log,
  type Sink,
  type Task,
} from '@rdc/contracts';
import { malformedKey, parseRunId, unplannedKey } from '../bucket-layout.js';
import { ManifestCache } from '../state/manifest.js';
import { deadLetterKeyFor } from '../task/slice-number.js';
import type { TaskResult } from '../task/handler-deps.js';

export type Decision = 'ack' | 'retry' | 'dead-letter';

/**
 * The single place that maps a result to a queue outcome:
 * - success or "already landed": ack;
 * - transient error, attempts left: retry (nack / non-2xx, the queue backs off);
 * - permanent error, or the last attempt failed: dead-letter record, ERROR log, ack.
 */
export function decideOutcome(error: unknown, deliveryAttempt: number, maxDeliveryAttempts: number): Decision {
  if (error === undefined) return 'ack';
  if (isRetryable(error) && deliveryAttempt < maxDeliveryAttempts) return 'retry';
  return 'dead-letter';
}

export interface ProcessDeps {
  /** Handles the task; `endpoint` is what `allowList` found for it, when given. */
  handle(task: Task, endpoint?: EndpointConfig): Promise<TaskResult>;
  sink: Sink;
  /** Manifests of the sink's runs (dead-letter records are named after the plan). @default a fresh cache */
  manifests?: ManifestCache;
  log: Log;
  /** Attempts after which a failing task is dead-lettered (match the subscription's policy). */
  maxDeliveryAttempts: number;
  /**
   * Called after a page lands (completion tracking). A failure keeps the message for a
   * redelivery that checks again (the page itself stays landed); on the last attempt it is
   * logged as an error naming the command that seals the run.
   */
  afterLanded?(task: Task, result: TaskResult): Promise<void>;
  /**
   * Finds a decoded task's endpoint in the config's allow-list before anything
   * is written for it; a task that fails is treated as malformed (its claimed
   * service, endpoint and run name no path).
   */
  allowList?(task: Task): EndpointConfig;
  /** Decodes the message; defaults to `decodeTask`. */
  decode?(delivery: Delivery): Task;
  /** Called when a task is dead-lettered. */
  afterDeadLetter?(task: Task | undefined, error: unknown): void;
}

export interface Processed {
  ack: Ack;
  decision: Decision;
  task?: Task;
  result?: TaskResult;
  error?: unknown;
}

/** Log fields of a task: its run, and its page or slice. */
function taskMeta(task: Task): Record<string, unknown> {
  return {
    runId: task.runId,
    service: task.service,
    endpoint: task.endpoint,
    ...(task.kind === 'page'
      ? { page: task.page }
      : task.kind === 'slice'
        ? { slice: task.sliceIndex }
        : { dt: task.dt }),
  };
}

function deadLetterRecord(delivery: Delivery, task: Task | undefined, error: unknown) {
  return {
    v: 1,
    deadLetteredAt: new Date().toISOString(),
    messageId: delivery.id,
    deliveryAttempt: delivery.deliveryAttempt,
    attributes: delivery.attributes,
    task: task ?? null,
    data: task ? undefined : delivery.data.subarray(0, MAX_RECORDED_DATA).toString('base64'),
    error: {
      name: error instanceof Error ? error.name : 'Error',
      message: errorMessage(error),
      retryable: isRetryable(error),
    },
  };
}

/** Bytes of an undecodable message kept in its record (base64): a flood cannot grow records without bound. */
const MAX_RECORDED_DATA = 4096;

/**
 * Where the dead-letter record of a delivery goes. A task of a planned run:
 * its page or slice name, tagged with the message and attempt. A task whose
 * run (or slice) was never planned, or a malformed message: one record per
 * message id, outside every run's folder.
 */
async function recordKey(delivery: Delivery, task: Task | undefined, manifests: ManifestCache): Promise<string> {
  const digest = createHash('sha256').update(delivery.id).digest('hex').slice(0, 32);
  if (!task) return malformedKey(digest);
  const planned = await manifests.get(parseRunId(task.runId)).then(
    (manifest) => manifest !== undefined,
    (error: unknown) => {
      if (isRetryable(error)) throw error;
      return false; // a corrupt manifest plans nothing this task can name
    },
  );
  if (!planned) return unplannedKey(digest);
  const tag = { digest: digest.slice(0, 16), attempt: delivery.deliveryAttempt };
  return (await deadLetterKeyFor(task, manifests, tag)) ?? unplannedKey(digest);
}

/** Decodes one delivery, handles it, and decides what the transport does with it. */
export async function processDelivery(delivery: Delivery, deps: ProcessDeps): Promise<Processed> {
  let task: Task | undefined;
  const log = deps.log.child({ messageId: delivery.id, deliveryAttempt: delivery.deliveryAttempt });
  try {
    const decoded = deps.decode ? deps.decode(delivery) : decodeTask(delivery.data, `Message ${delivery.id}`);
    const endpoint = deps.allowList?.(decoded);
    task = decoded;
    const result = await deps.handle(task, endpoint);
    const pageLog = log.child(taskMeta(task));
    pageLog.debug(`${taskLabel(task)} ${result.outcome}`, { records: result.records, key: result.key });
    if (deps.afterLanded) {
      try {
        await deps.afterLanded(task, result);
      } catch (error) {
        // The page is landed, but the check that seals its run failed. Acked, no later
        // landing would look at this page's block again: keep the message, and its
        // redelivery (found landed) runs the check once more.
        const attempt = `attempt ${delivery.deliveryAttempt}/${deps.maxDeliveryAttempts}`;
        if (delivery.deliveryAttempt < deps.maxDeliveryAttempts) {
          pageLog.warn(
            `${taskLabel(task)} landed, but the completion check after it failed (${attempt}); the message will be redelivered to check again: ${errorMessage(error)}`,
          );
          return { ack: 'retry', decision: 'retry', task, result, error };
        }
        pageLog.error(
          `${taskLabel(task)} landed, but the completion check after it failed on the last ${attempt}: ${errorMessage(error)}. ` +
            `Run ${task.runId} may stay unsealed: \`npm run status -- ${task.runId} --sink <bucket>\` checks it and seals it when complete.`,
        );
      }
    }
    return { ack: 'ack', decision: 'ack', task, result };
  } catch (error) {
    const decision = decideOutcome(error, delivery.deliveryAttempt, deps.maxDeliveryAttempts);
    const where = task ? `${task.runId} ${taskLabel(task)}` : `message ${delivery.id}`;
    const meta = task ? taskMeta(task) : {};
    if (decision === 'retry') {
      log.warn(
        `${where} failed (attempt ${delivery.deliveryAttempt}/${deps.maxDeliveryAttempts}); it will be redelivered: ${errorMessage(error)}`,
        meta,
      );
      return { ack: 'retry', decision, ...(task ? { task } : {}), error };
    }
    let key: string | undefined;
    try {
      key = await recordKey(delivery, task, deps.manifests ?? new ManifestCache(deps.sink));
      // Write-once: a record already there is this delivery's own (an ack that was lost), never replaced.
      await deps.sink.putIfAbsent(
        key,
        Buffer.from(`${JSON.stringify(deadLetterRecord(delivery, task, error), null, 2)}\n`),
        { contentType: 'application/json' },
      );
    } catch (writeError) {
      // Without the record the failure would be invisible: keep the message instead. Both errors are told.
      const next =
        delivery.deliveryAttempt < deps.maxDeliveryAttempts
          ? 'the message will be redelivered'
          : "the message goes back to the queue; after this last attempt the queue's own dead-letter policy decides what happens to it";
      log.error(
        `${where} failed: ${errorMessage(error)}. Its dead-letter record${key ? ` ${key}` : ''} could not be written either, so ${next}: ${errorMessage(writeError)}`,
        meta,
      );
      return { ack: 'retry', decision: 'retry', ...(task ? { task } : {}), error };
    }
    log.error(`${where} dead-lettered after ${delivery.deliveryAttempt} attempt(s): ${errorMessage(error)}`, {
      ...meta,
      deadLetter: key,
    });
    deps.afterDeadLetter?.(task, error);
    return { ack: 'ack', decision, ...(task ? { task } : {}), error };
  }
}
