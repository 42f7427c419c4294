// @rdc/queues: the task queue behind one contract (TaskPublisher and a consumer
// that decides ack, retry or dead-letter per delivery): in process for npm start,
// Google Cloud Pub/Sub in production. Internals are tested through their module
// path, e.g. `@rdc/queues/backoff.js`.

// In process: the queue of the embedded run.
export { MemoryQueue, type MemoryQueueOptions, type MemoryQueueCounters } from './memory-queue.js';
export { MEMORY_QUEUE_DEFAULTS } from './defaults.js';

// Pub/Sub: the client, the planner's publisher, the pull worker's consumer, and the topology.
export { createPubSub, type PubSubClientOptions } from './pubsub-client.js';
export { PubSubPublisher, type PubSubPublisherOptions } from './pubsub-publisher.js';
export { PubSubPullConsumer, type PubSubPullConsumerOptions } from './pubsub-consumer.js';
export { ensureTopic, ensureSubscription, type SubscriptionSpec } from './pubsub-admin.js';
export { PUBSUB_BATCHING_DEFAULTS, PUBSUB_FLOW_CONTROL_DEFAULTS } from './defaults.js';

// The Pub/Sub emulator, for the stack, tests and the bench.
export {
  findPubSubEmulator,
  startPubSubEmulator,
  type PubSubEmulatorLocation,
  type RunningPubSubEmulator,
} from './emulator.js';
