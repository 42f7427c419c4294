import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import {
  errorMessage,
  silentLog,
  type Ack,
  type Delivery,
  type DeliveryHandler,
  type Log,
  type TaskConsumer,
} from '@rdc/contracts';
import { PUBSUB_CONSUMER_DEFAULTS } from './defaults.js';
import { createPubSub } from './pubsub-client.js';
import { nonEmptyString, positiveInteger } from './validate.js';

export interface PubSubPullConsumerOptions {
  projectId: string;
  /** Subscription id (`tasks-worker`) or full name (`projects/p/subscriptions/tasks-worker`). */
  subscription: string;
  /** `host:port` of an emulator; see createPubSub. */
  apiEndpoint?: string;
  /** A client to use instead of creating one. The caller owns it: stop() leaves it open. */
  pubsub?: PubSub;
  /**
   * Handlers running at once; also the number of messages leased at once.
   * @default 8
   */
  concurrency?: number;
  log?: Log;
  /**
   * Called when the stream closes without stop() (a deleted subscription, lost
   * permissions): no more messages will arrive, so a worker should exit and be restarted.
   */
  onUnexpectedClose?: () => void;
}

/**
 * Consumes a Pub/Sub subscription by streaming pull. 'ack' acks the message, 'retry'
 * (or a thrown handler error) nacks it, so the subscription's retry policy decides
 * when it comes back and its dead-letter policy when it stops coming back.
 */
export class PubSubPullConsumer implements TaskConsumer {
  readonly concurrency: number;
  readonly #onUnexpectedClose: (() => void) | undefined;
  readonly #pubsub: PubSub;
  readonly #ownsClient: boolean;
  readonly #subscriptionName: string;
  readonly #log: Log;
  readonly #inFlight = new Set<Promise<void>>();
  #subscription: Subscription | undefined;
  #stopping = false;
  #stopped: Promise<void> | undefined;

  constructor(options: PubSubPullConsumerOptions) {
    this.#subscriptionName = nonEmptyString('subscription', options.subscription);
    this.concurrency = positiveInteger('concurrency', options.concurrency ?? PUBSUB_CONSUMER_DEFAULTS.concurrency);
    this.#ownsClient = options.pubsub === undefined;
    this.#pubsub = options.pubsub ?? createPubSub({ projectId: options.projectId, apiEndpoint: options.apiEndpoint });
    this.#log = (options.log ?? silentLog).child({ subscription: this.#subscriptionName });
    this.#onUnexpectedClose = options.onUnexpectedClose;
  }

  /** Handlers running right now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Opens the streaming pull. Resolves once listening; stream errors are logged. */
  start(handler: DeliveryHandler): Promise<void> {
    if (this.#subscription) return Promise.reject(new Error('PubSubPullConsumer: start() called twice'));
    const subscription = this.#pubsub.subscription(this.#subscriptionName, {
      // The lease count is the concurrency: no message waits in this process while
      // another worker could be handling it.
      flowControl: { maxMessages: this.concurrency, allowExcessMessages: false },
      batching: { maxMilliseconds: PUBSUB_CONSUMER_DEFAULTS.ackBatchMaxMilliseconds },
    });
    this.#subscription = subscription;
    subscription.on('error', (error: Error & { code?: number }) => {
      this.#log.error('Pub/Sub subscription error', { error: errorMessage(error), code: error.code });
    });
    subscription.on('close', () => {
      if (this.#stopping) return;
      this.#log.error('Pub/Sub subscription closed unexpectedly; no more messages will arrive');
      this.#onUnexpectedClose?.();
    });
    subscription.on('message', (message: Message) => this.#onMessage(handler, message));
    return Promise.resolve();
  }

  #onMessage(handler: DeliveryHandler, message: Message): void {
    if (this.#stopping) {
      message.nack(); // let another worker have it now rather than after the ack deadline
      return;
    }
    const run: Promise<void> = this.#handle(handler, message).finally(() => this.#inFlight.delete(run));
    this.#inFlight.add(run);
  }

  async #handle(handler: DeliveryHandler, message: Message): Promise<void> {
    const delivery: Delivery = {
      id: message.id,
      data: message.data,
      attributes: { ...message.attributes },
      // Pub/Sub sets deliveryAttempt only on subscriptions with a dead-letter policy;
      // the client reports 0 otherwise.
      deliveryAttempt: message.deliveryAttempt > 0 ? message.deliveryAttempt : 1,
    };
    let outcome: Ack;
    try {
      outcome = await handler(delivery);
    } catch (error) {
      this.#log.warn('queue handler threw; nacking the message', {
        messageId: message.id,
        deliveryAttempt: delivery.deliveryAttempt,
        error: errorMessage(error),
      });
      outcome = 'retry';
    }
    if (outcome === 'ack') message.ack();
    else message.nack();
  }

  /**
   * Stops taking messages (any that arrive meanwhile are nacked), waits for in-flight
   * handlers, then closes the subscription, which flushes their acks and nacks.
   */
  stop(): Promise<void> {
    const subscription = this.#subscription;
    if (!subscription) return Promise.resolve();
    this.#stopped ??= this.#stop(subscription);
    return this.#stopped;
  }

  async #stop(subscription: Subscription): Promise<void> {
    this.#stopping = true;
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
    try {
      await subscription.close();
    } catch (error) {
      this.#log.warn('closing the subscription failed', { error: errorMessage(error) });
    }
    subscription.removeAllListeners();
    if (this.#ownsClient) await this.#pubsub.close();
  }
}
