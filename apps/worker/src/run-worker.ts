import { ConfigError, loadServices, type Log, type Sink } from '@rdc/contracts';
import { createTaskProcessor } from '@rdc/core';
import { PubSubPublisher, PubSubPullConsumer } from '@rdc/queues';
import { createSink } from '@rdc/sinks';
import { createSourceRegistry } from '@rdc/source';
import { createActivity } from './activity.js';
import { noAuthorizer, oidcAuthorizer } from './auth.js';
import type { WorkerConfig } from './config.js';
import { WORKER_DEFAULTS } from './defaults.js';
import { createPushServer } from './push-server.js';

/** Cloud Run gives a container 10 s after SIGTERM; finish in-flight pages within it. */
export const SHUTDOWN_GRACE_MS = 8_000;

export interface RunningWorker {
  /** Push mode: the bound URL. */
  url?: string;
  sink: Sink;
  stop(): Promise<void>;
}

/** Wires and starts the worker in push or pull mode. */
export async function startWorker(
  config: WorkerConfig,
  env: NodeJS.ProcessEnv,
  log: Log,
  /** Called when the worker can no longer take work (pull: the stream closed); main exits non-zero. */
  onFatal: (reason: string) => void = () => undefined,
): Promise<RunningWorker> {
  const catalog = loadServices(config.configDir);
  // Every retry budget stays under the ack deadline, with a margin for the write.
  // One page is an API fetch plus a few storage calls; their budgets together stay
  // under the ack deadline (60 s: 36 s for the API, 15 s for each storage call).
  const ackMs = config.ackDeadlineSeconds * 1000;
  const budgetMs = Math.max(5_000, Math.floor(ackMs * 0.6));
  const storageDeadlineMs = Math.max(3_000, Math.floor(ackMs * 0.25));
  const sources = createSourceRegistry(catalog, { env, log, budgetMs });
  const projectId =
    config.project ?? (env.PUBSUB_EMULATOR_HOST || env.STORAGE_EMULATOR_HOST ? 'local-project' : undefined);
  const sink = createSink(config.sink, {
    gcs: { deadlineMs: storageDeadlineMs, ...(projectId ? { projectId } : {}) },
  });
  if (config.compactTopic && !projectId) {
    throw new ConfigError(
      '--compact-topic (RDC_COMPACT_TOPIC) needs a project: pass --project or set GOOGLE_CLOUD_PROJECT.',
    );
  }
  const compactions =
    config.compactTopic && projectId ? new PubSubPublisher({ projectId, topic: config.compactTopic, log }) : undefined;
  const processTask = createTaskProcessor({
    catalog,
    sourceFor: (s) => sources.sourceFor(s),
    sink,
    log,
    gzip: config.gzip,
    maxDeliveryAttempts: config.maxDeliveryAttempts,
    parquet: config.parquet,
    ...(compactions ? { compactions } : {}),
  });
  const activity = createActivity({
    log,
    intervalMs: config.activitySeconds * 1000,
    extras: () => ({ ...sources.totals(), bytesWritten: processTask.writes.pageBytes }),
  });

  if (config.mode === 'pull') {
    if (!projectId) throw new ConfigError('Pull mode needs a project: pass --project or set GOOGLE_CLOUD_PROJECT.');
    const consumer = new PubSubPullConsumer({
      projectId,
      subscription: config.subscription,
      concurrency: config.concurrency,
      log,
      onUnexpectedClose: () => onFatal(`the streaming pull on ${config.subscription} closed`),
    });
    await consumer.start(async (delivery) => activity.count(await processTask(delivery)).ack);
    activity.start();
    log.info(
      `Worker pulling from ${config.subscription} into ${sink.url}: ${config.concurrency} worker slots (--concurrency, RDC_CONCURRENCY); each service logs its API concurrency and rate on first use`,
    );
    return {
      sink,
      async stop() {
        await consumer.stop();
        activity.stop();
        await compactions?.close();
        sources.close();
      },
    };
  }

  const authorize =
    config.pushAuth === 'off'
      ? noAuthorizer(log)
      : oidcAuthorizer({ audience: config.pushAudience!, serviceAccountEmail: config.pushServiceAccount!, log });
  const push = createPushServer({
    process: Object.assign(
      async (...args: Parameters<typeof processTask>) => activity.count(await processTask(...args)),
      { caches: processTask.caches, writes: processTask.writes },
    ),
    authorize,
    log,
    maxBodyBytes: config.maxBodyBytes,
    requestTimeoutMs: config.ackDeadlineSeconds * 1000,
    bodyTimeoutMs: config.pushBodyTimeoutSeconds * 1000,
    health: () => {
      // Honest about a 429 pause (at most limits.maxRetryAfterSeconds): alive, but holding back.
      const ms = sources.pausedForMs();
      return ms > 0 ? { status: 'rate-limited', rateLimitedForMs: ms } : {};
    },
  });
  await new Promise<void>((resolve, reject) => {
    push.server.once('error', reject);
    push.server.listen(config.port, env.HOST ?? WORKER_DEFAULTS.host, () => resolve());
  });
  const address = push.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://127.0.0.1:${port}`;
  log.info(`Worker listening on :${port} for Pub/Sub push (POST /), writing to ${sink.url}`);
  activity.start();
  return {
    url,
    sink,
    async stop() {
      await push.shutdown(SHUTDOWN_GRACE_MS);
      activity.stop();
      await compactions?.close();
      sources.close();
    },
  };
}
