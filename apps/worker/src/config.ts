import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, describeZodError } from '@rdc/contracts';

export const WORKER_HELP = `Usage: worker [--mode push|pull] [options]

Takes page tasks, fetches each page, validates it and lands it in the sink.

  --mode push|pull        push: an HTTP server for a Pub/Sub push subscription (Cloud Run).
                          pull: streaming pull from --subscription (GKE, VMs, local).
                          Env RDC_WORKER_MODE. Default: push
  --concurrency <n>       Pull mode: messages leased and handled at once (flow control).
                          In push mode Cloud Run's --concurrency bounds the requests instead.
                          Env RDC_CONCURRENCY. Default: 8
  --sink <url>            gs://bucket/prefix or file:///abs/path (env RDC_SINK). Required.
  --project <id>          Google Cloud project (env GOOGLE_CLOUD_PROJECT).
  --subscription <name>   Pull subscription (env RDC_SUBSCRIPTION). Default: rdc-pages-pull
  --config-dir <path>     Folder of service JSON files (env RDC_CONFIG_DIR).
  --gzip                  gzip pages (env RDC_GZIP=1).
  -h, --help              This help.

Environment:
  PORT                    Push mode listen port. Default: 8080
  RDC_ACK_DEADLINE_SECONDS  The subscription's ack deadline (push: the request timeout).
                          Every retry budget stays under it. Default: 60
  RDC_MAX_DELIVERY_ATTEMPTS Deliveries before a failing page is dead-lettered; match the
                          subscription's dead-letter policy. Default: 5
  RDC_PUSH_AUTH           oidc (default) or off. off is for the emulator only and logs a WARNING.
  RDC_PUSH_AUDIENCE       Expected OIDC audience (the push endpoint URL).
  RDC_PUSH_SERVICE_ACCOUNT Expected email of the push subscription's service account.
  RDC_MAX_BODY_BYTES      Largest push body accepted. Default: 65536
  RDC_PUSH_BODY_TIMEOUT_SECONDS  A push body not complete within this gets 408. Default: 10
  RDC_REQUESTS_PER_SECOND, RDC_API_CONCURRENCY
                          Override the service's limits for this process (the API's limit
                          divided by max-instances keeps a fleet under it).
  <SERVICE>_API_BASE_URL  Overrides a service's baseUrl (e.g. RETAIL_API_BASE_URL); API_BASE_URL
                          only when the config folder holds one service.
  RETAIL_API_KEY(_FILE), PUBSUB_EMULATOR_HOST, STORAGE_EMULATOR_HOST,
  LOG_FORMAT, LOG_LEVEL as for the planner.

Push answers: 204 landed or already landed (also: dead-lettered, see _rdc/deadletter/),
400 not a push envelope (or no messageId), 401/403 bad OIDC token, 408 body too slow,
413 body too large, 503 transient failure or OIDC key set unreachable (Pub/Sub
redelivers with backoff).`;

const positiveInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const WorkerConfig = z.object({
  mode: z.enum(['push', 'pull']),
  port: positiveInt(0, 65535),
  concurrency: positiveInt(1, 256),
  sink: z.string().min(1, 'set --sink or RDC_SINK (gs://bucket/prefix or file:///path)'),
  project: z.string().optional(),
  subscription: z.string().regex(/^[A-Za-z][A-Za-z0-9._~%+-]{2,254}$/, 'expected a Pub/Sub subscription name'),
  configDir: z.string().optional(),
  gzip: z.boolean(),
  ackDeadlineSeconds: positiveInt(10, 600),
  maxDeliveryAttempts: positiveInt(1, 100),
  pushAuth: z.enum(['oidc', 'off']),
  pushAudience: z.string().optional(),
  pushServiceAccount: z.string().optional(),
  maxBodyBytes: positiveInt(1024, 10_000_000),
  pushBodyTimeoutSeconds: positiveInt(1, 600),
});
export type WorkerConfig = z.infer<typeof WorkerConfig>;

export type WorkerCommand = { help: true } | { help: false; config: WorkerConfig };

export function parseWorkerConfig(argv: string[], env: NodeJS.ProcessEnv): WorkerCommand {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        mode: { type: 'string' },
        concurrency: { type: 'string' },
        sink: { type: 'string' },
        project: { type: 'string' },
        subscription: { type: 'string' },
        'config-dir': { type: 'string' },
        gzip: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. See --help.`);
  }
  if (values.help) return { help: true };
  const raw = {
    mode: values.mode ?? env.RDC_WORKER_MODE ?? 'push',
    port: env.PORT ?? 8080,
    concurrency: values.concurrency ?? env.RDC_CONCURRENCY ?? 8,
    sink: values.sink ?? env.RDC_SINK ?? '',
    project: values.project ?? env.GOOGLE_CLOUD_PROJECT ?? env.GCLOUD_PROJECT,
    subscription: values.subscription ?? env.RDC_SUBSCRIPTION ?? 'rdc-pages-pull',
    configDir: values['config-dir'] ?? env.RDC_CONFIG_DIR,
    gzip: values.gzip === true || env.RDC_GZIP === '1' || env.RDC_GZIP === 'true',
    ackDeadlineSeconds: env.RDC_ACK_DEADLINE_SECONDS ?? 60,
    maxDeliveryAttempts: env.RDC_MAX_DELIVERY_ATTEMPTS ?? 5,
    pushAuth: env.RDC_PUSH_AUTH ?? 'oidc',
    pushAudience: env.RDC_PUSH_AUDIENCE,
    pushServiceAccount: env.RDC_PUSH_SERVICE_ACCOUNT,
    maxBodyBytes: env.RDC_MAX_BODY_BYTES ?? 65536,
    pushBodyTimeoutSeconds: env.RDC_PUSH_BODY_TIMEOUT_SECONDS ?? 10,
  };
  const parsed = WorkerConfig.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(describeZodError(parsed.error, 'The worker configuration (flags and env)', raw));
  const config = parsed.data;
  if (config.mode === 'push' && config.pushAuth === 'oidc' && (!config.pushAudience || !config.pushServiceAccount)) {
    throw new ConfigError(
      'Push auth is on (RDC_PUSH_AUTH=oidc) but RDC_PUSH_AUDIENCE and RDC_PUSH_SERVICE_ACCOUNT are not both set. Set them to the push endpoint URL and the push service account email, or RDC_PUSH_AUTH=off for the emulator only.',
    );
  }
  return { help: false, config };
}
