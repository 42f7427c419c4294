import type { BatchPublishOptions, FlowControlOptions, PubSub, Topic } from '@google-cloud/pubsub';
import {
  ConfigError,
  TransientError,
  encodeTask,
  errorMessage,
  silentLog,
  taskAttributes,
  type Log,
  type Task,
  type TaskPublisher,
} from '@rdc/contracts';
import { PUBSUB_BATCHING_DEFAULTS, PUBSUB_FLOW_CONTROL_DEFAULTS } from './defaults.js';
import { createPubSub } from './pubsub-client.js';
import { nonEmptyString } from './validate.js';

export interface PubSubPublisherOptions {
  projectId: string;
  /** Topic id (`tasks`) or full name (`projects/p/topics/tasks`). */
  topic: string;
  /** `host:port` of an emulator; see createPubSub. */
  apiEndpoint?: string;
  /** A client to use instead of creating one. The caller owns it: close() leaves it open. */
  pubsub?: PubSub;
  /**
   * Batching of publish requests.
   * @default { maxMessages: 1000, maxBytes: 5 MiB, maxMilliseconds: 20 }
   */
  batching?: BatchPublishOptions;
  /**
   * Publisher flow control: publish() waits while this much is unsent.
   * @default { maxOutstandingMessages: 2000, maxOutstandingBytes: 32 MiB }
   * @example { maxOutstandingMessages: 100 }
   */
  flowControl?: FlowControlOptions;
  log?: Log;
}

type FlowControlledPublisher = ReturnType<Topic['flowControlled']>;

const RESOLVED = Promise.resolve();

/**
 * Publishes tasks to one Pub/Sub topic, batched and under publisher flow control, so
 * the planner can publish a 100k-task plan in a loop of `await publish(task)` with
 * bounded memory.
 */
export class PubSubPublisher implements TaskPublisher {
  readonly topic: Topic;
  readonly #pubsub: PubSub;
  readonly #ownsClient: boolean;
  readonly #flow: FlowControlledPublisher;
  readonly #log: Log;
  /**
   * The last hand-over still waiting for flow control, if any. Later publishes queue
   * behind it, so tasks are handed over in order; while it is unset publish() hands
   * over at once (the common case: no promise chain per task).
   */
  #waiting: Promise<void> | undefined;
  /** Handed over, not yet confirmed or failed. */
  #unconfirmed = 0;
  #drained: (() => void)[] = [];
  #published = 0;
  #failed = 0;
  #firstFailure: unknown;
  #closed = false;

  constructor(options: PubSubPublisherOptions) {
    nonEmptyString('topic', options.topic);
    this.#ownsClient = options.pubsub === undefined;
    this.#pubsub = options.pubsub ?? createPubSub({ projectId: options.projectId, apiEndpoint: options.apiEndpoint });
    this.topic = this.#pubsub.topic(options.topic, {
      batching: { ...PUBSUB_BATCHING_DEFAULTS, ...options.batching },
      flowControlOptions: { ...PUBSUB_FLOW_CONTROL_DEFAULTS, ...options.flowControl },
    });
    this.#flow = this.topic.flowControlled();
    this.#log = (options.log ?? silentLog).child({ topic: this.topic.name });
  }

  /**
   * Checks the topic exists before the planner writes anything: a missing topic
   * is a ConfigError naming it and how to create it; an unreachable Pub/Sub is
   * an error saying where it looked.
   */
  async check(): Promise<void> {
    let exists: boolean;
    try {
      [exists] = await this.topic.exists();
    } catch (error) {
      throw new Error(
        `Cannot look up the Pub/Sub topic ${this.topic.name}: ${errorMessage(error)}. Check the project, the credentials (roles/pubsub.viewer or publisher) and PUBSUB_EMULATOR_HOST when using the emulator.`,
      );
    }
    if (!exists) {
      const short = this.topic.name.split('/').pop() ?? this.topic.name;
      throw new ConfigError(
        `The Pub/Sub topic ${this.topic.name} does not exist, so no task could be published; nothing was written. ` +
          `Create it (gcloud pubsub topics create ${short}, see docs/deploy.md) or pass --topic (env RDC_TOPIC) with an existing one.`,
      );
    }
  }

  /** Publishes handed to the client and not yet confirmed or failed. */
  get outstanding(): number {
    return this.#unconfirmed;
  }

  /**
   * Hands the task to the client's batcher. Resolves at once while under the flow
   * control limits, otherwise once enough earlier messages were sent. Whether the
   * message reached Pub/Sub is reported by flush().
   */
  publish(task: Task): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`PubSubPublisher(${this.topic.name}): publish() after close()`));
    if (this.#waiting) {
      const queued = this.#waiting.then(() => this.#handOver(task));
      this.#track(queued);
      return queued;
    }
    try {
      const handed = this.#handOver(task);
      if (handed !== undefined) this.#track(handed);
      return handed ?? RESOLVED;
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Returns undefined when the task was handed over at once, else a promise for when it is. */
  #handOver(task: Task): Promise<void> | undefined {
    const wait = this.#flow.publish({ data: encodeTask(task), attributes: taskAttributes(task) });
    if (!wait) {
      this.#confirmLater();
      return undefined;
    }
    return wait.then(() => this.#confirmLater());
  }

  #track(handed: Promise<void>): void {
    const settled = handed.catch(() => undefined);
    this.#waiting = settled;
    void settled.then(() => {
      if (this.#waiting === settled) this.#waiting = undefined;
    });
  }

  /**
   * Takes the confirmation of what was just handed over. all() drains the ids the
   * flow-controlled publisher collected since the last call: with hand-overs in order
   * that is exactly this message. Taking it at once also means a failed publish always
   * has a handler (left to flush(), it would be an unhandled rejection).
   */
  #confirmLater(): void {
    this.#published++;
    this.#unconfirmed++;
    void this.#flow.all().then(this.#confirmed, this.#failedOne);
  }

  /** Settles one confirmation (bound once: no closures per message). */
  readonly #confirmed = (): void => {
    this.#unconfirmed--;
    if (this.#unconfirmed === 0 && this.#drained.length > 0) for (const resolve of this.#drained.splice(0)) resolve();
  };

  readonly #failedOne = (error: unknown): void => {
    this.#failed++;
    this.#firstFailure ??= error;
    this.#confirmed();
  };

  /**
   * Sends what is batched and waits for every publish so far. Throws a TransientError
   * naming the topic and the number of failed messages if any failed since the last flush().
   */
  async flush(): Promise<void> {
    while (this.#waiting) await this.#waiting;
    try {
      await this.topic.flush();
    } catch {
      // Failures are counted per message below; the batch error adds nothing.
    }
    if (this.#unconfirmed > 0) await new Promise<void>((resolve) => this.#drained.push(resolve));
    const failed = this.#failed;
    const published = this.#published;
    const cause = this.#firstFailure;
    this.#failed = 0;
    this.#published = 0;
    this.#firstFailure = undefined;
    if (failed > 0) {
      this.#log.error('publish failed', { failed, published, error: errorMessage(cause) });
      throw new TransientError(
        `Publishing to ${this.topic.name} failed for ${failed} of ${published} task(s): ${errorMessage(cause)}`,
        {},
        { cause },
      );
    }
  }

  /** Flushes, then closes the client if this publisher created it. Later publishes reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.flush();
    } finally {
      if (this.#ownsClient) await this.#pubsub.close();
    }
  }
}
