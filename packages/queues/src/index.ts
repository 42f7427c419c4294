export { MemoryQueue, type MemoryQueueOptions, type MemoryQueueCounters } from './memory-queue.js';
export { redeliveryDelay, type RetryBackoff } from './backoff.js';
export { PubSubPublisher, type PubSubPublisherOptions } from './pubsub-publisher.js';
export { PubSubPullConsumer, type PubSubPullConsumerOptions } from './pubsub-consumer.js';
export { ensureTopic, ensureSubscription, type SubscriptionSpec } from './pubsub-admin.js';
export { createPubSub, type PubSubClientOptions } from './pubsub-client.js';
export {
  MEMORY_QUEUE_DEFAULTS,
  PUBSUB_BATCHING_DEFAULTS,
  PUBSUB_FLOW_CONTROL_DEFAULTS,
  PUBSUB_CONSUMER_DEFAULTS,
} from './defaults.js';
export {
  findPubSubEmulator,
  startPubSubEmulator,
  type PubSubEmulatorLocation,
  type RunningPubSubEmulator,
} from './emulator.js';
