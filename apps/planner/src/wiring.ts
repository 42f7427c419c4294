import {
  ConfigError,
  loadServices,
  resolveEndpoint,
  type Log,
  type ServiceCatalog,
  type Sink,
  type TaskPublisher,
} from '@rdc/contracts';
import { PubSubPublisher } from '@rdc/queues';
import { createSink } from '@rdc/sinks';
import { createSourceRegistry, type SourceRegistry } from '@rdc/source';
import type { PlannerArgs } from './cli.js';

export interface Wired {
  catalog: ServiceCatalog;
  sources: SourceRegistry;
  sink: Sink;
}

/** Loads the config and builds the source and sink the arguments select. Validates before any I/O. */
export function wireCommon(args: PlannerArgs, env: NodeJS.ProcessEnv, log: Log): Wired {
  const catalog = loadServices(args.configDir);
  resolveEndpoint(catalog, args.service, args.endpoint);
  const sources = createSourceRegistry(catalog, { env, log });
  // Pages are gzipped by the page handler (--gzip); the sink stores bytes as given.
  const sink = createSink(args.sink, { gcs: { ...(args.project ? { projectId: args.project } : {}) } });
  return { catalog, sources, sink };
}

export function createPublisher(args: PlannerArgs, env: NodeJS.ProcessEnv, log: Log): TaskPublisher {
  if (args.queue !== 'pubsub') {
    throw new ConfigError(
      'The planner publishes to Pub/Sub (--queue pubsub). For an in-process queue with workers in the same process, run `npm start` (the local runner).',
    );
  }
  const projectId = args.project ?? (env.PUBSUB_EMULATOR_HOST ? 'local-project' : undefined);
  if (!projectId) {
    throw new ConfigError('No Google Cloud project: pass --project or set GOOGLE_CLOUD_PROJECT.');
  }
  return new PubSubPublisher({ projectId, topic: args.topic, log });
}

/** A publisher for dry runs: planning never calls it. */
export const noPublisher: TaskPublisher = {
  publish: () => Promise.reject(new Error('dry run: nothing is published')),
  flush: () => Promise.resolve(),
  close: () => Promise.resolve(),
};
