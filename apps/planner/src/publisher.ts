import { ConfigError, type Log, type TaskPublisher } from '@rdc/contracts';
import { PubSubPublisher } from '@rdc/queues';
import type { PlannerArgs } from '@rdc/runtime';

/** A publisher that can say, before anything is written, whether its topic is there. */
export type CheckedPublisher = TaskPublisher & { check(): Promise<void> };

export function createPublisher(args: PlannerArgs, env: NodeJS.ProcessEnv, log: Log): CheckedPublisher {
  if (args.queue !== 'pubsub') {
    throw new ConfigError(
      'The planner publishes to Pub/Sub (--queue pubsub). For an in-process queue with workers in the same process, run `npm start` (the local runner).',
    );
  }
  const projectId = args.project ?? (env.PUBSUB_EMULATOR_HOST ? 'local-project' : undefined);
  if (!projectId) {
    throw new ConfigError(
      'No Google Cloud project for Pub/Sub: pass --project or set GOOGLE_CLOUD_PROJECT, or set PUBSUB_EMULATOR_HOST (e.g. localhost:8085) to use the Pub/Sub emulator.',
    );
  }
  return new PubSubPublisher({ projectId, topic: args.topic, log });
}

/** A publisher for dry runs: planning never calls it. */
export const noPublisher: CheckedPublisher = {
  check: () => Promise.resolve(),
  publish: () => Promise.reject(new Error('dry run: nothing is published')),
  flush: () => Promise.resolve(),
  close: () => Promise.resolve(),
};
