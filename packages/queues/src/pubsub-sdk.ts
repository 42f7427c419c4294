import { createRequire } from 'node:module';
import type * as PubSubSdk from '@google-cloud/pubsub';

let loaded: typeof PubSubSdk | undefined;

/**
 * The Pub/Sub SDK, loaded on first use rather than at import: it takes a large share of
 * a second to load, and `--help`, argument errors, the push worker and the in-process
 * queue never need it. Only a Pub/Sub publisher, consumer or admin client calls this.
 */
export function pubsubSdk(): typeof PubSubSdk {
  loaded ??= createRequire(import.meta.url)('@google-cloud/pubsub') as typeof PubSubSdk;
  return loaded;
}
