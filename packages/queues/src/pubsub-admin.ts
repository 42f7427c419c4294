import type { CreateSubscriptionOptions, PubSub, Subscription, Topic } from '@google-cloud/pubsub';

/** gRPC status ALREADY_EXISTS. */
const ALREADY_EXISTS = 6;

export interface SubscriptionSpec {
  /** Topic id or full name the subscription reads. */
  topic: string;
  /** Subscription id. */
  name: string;
  /** Makes it a push subscription that POSTs each message to this URL. */
  pushEndpoint?: string;
  /** Seconds a delivery may take before Pub/Sub redelivers it (10..600). */
  ackDeadlineSeconds: number;
  /**
   * Forward a message to `topic` after `maxDeliveryAttempts` deliveries (5..100).
   * Also makes Pub/Sub report each message's deliveryAttempt. On Google Cloud the
   * Pub/Sub service agent needs publisher on that topic and subscriber on this subscription.
   */
  deadLetter?: { topic: string; maxDeliveryAttempts: number };
  /** Exponential redelivery backoff after a nack, in seconds (0..600). */
  retryPolicy?: { minimumBackoff: number; maximumBackoff: number };
}

function isAlreadyExists(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === ALREADY_EXISTS;
}

function duration(seconds: number): { seconds: number; nanos: number } {
  const whole = Math.floor(seconds);
  return { seconds: whole, nanos: Math.round((seconds - whole) * 1e9) };
}

/** Creates the topic unless it exists. */
export async function ensureTopic(pubsub: PubSub, name: string): Promise<Topic> {
  try {
    const [topic] = await pubsub.createTopic(name);
    return topic;
  } catch (error) {
    if (isAlreadyExists(error)) return pubsub.topic(name);
    throw error;
  }
}

/**
 * Creates the subscription unless it exists. An existing subscription is returned as
 * it is: its settings are not compared or updated.
 */
export async function ensureSubscription(pubsub: PubSub, spec: SubscriptionSpec): Promise<Subscription> {
  const options: CreateSubscriptionOptions = { ackDeadlineSeconds: spec.ackDeadlineSeconds };
  if (spec.pushEndpoint !== undefined) options.pushConfig = { pushEndpoint: spec.pushEndpoint };
  if (spec.deadLetter) {
    options.deadLetterPolicy = {
      deadLetterTopic: pubsub.topic(spec.deadLetter.topic).name,
      maxDeliveryAttempts: spec.deadLetter.maxDeliveryAttempts,
    };
  }
  if (spec.retryPolicy) {
    options.retryPolicy = {
      minimumBackoff: duration(spec.retryPolicy.minimumBackoff),
      maximumBackoff: duration(spec.retryPolicy.maximumBackoff),
    };
  }
  try {
    const [subscription] = await pubsub.createSubscription(spec.topic, spec.name, options);
    return subscription;
  } catch (error) {
    if (isAlreadyExists(error)) return pubsub.subscription(spec.name);
    throw error;
  }
}
