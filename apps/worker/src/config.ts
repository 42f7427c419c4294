import { z } from 'zod';
import { ConfigError } from '@rdc/contracts';
import { parseLogSettings } from '@rdc/logging';
import { Inputs, parseFlags, sinkSetting, type FlagSpecs } from '@rdc/runtime';
import { WORKER_DEFAULTS } from './defaults.js';

export const WORKER_HELP = `Usage: worker [--mode push|pull] [options]

Takes page tasks, fetches each page, validates it and lands it in the sink.

  --mode push|pull        push: an HTTP server for a Pub/Sub push subscription (Cloud Run).
                          pull: streaming pull from --subscription (GKE, VMs, local).
                          Env RDC_WORKER_MODE. Default: ${WORKER_DEFAULTS.mode}
  --concurrency <n>       Pull mode: messages leased and handled at once (flow control).
                          In push mode Cloud Run's --concurrency bounds the requests instead.
                          Env RDC_CONCURRENCY. Default: ${WORKER_DEFAULTS.concurrency}
  --sink <url>            gs://bucket/prefix or file:///abs/path (env RDC_SINK). Required.
  --project <id>          Google Cloud project (env GOOGLE_CLOUD_PROJECT).
  --subscription <name>   Pull subscription (env RDC_SUBSCRIPTION). Default: ${WORKER_DEFAULTS.subscription}
  --config-dir <path>     Folder of service JSON files (env RDC_CONFIG_DIR).
  --gzip                  gzip pages (env RDC_GZIP=1).
  --parquet               Compact every sealed run into Parquet, whatever the endpoint's
                          "parquet" config says (env RDC_PARQUET=1).
  --compact-topic <name>  Topic the worker that seals a run publishes its compaction tasks
                          to, one per dt= partition (the page topic; env RDC_COMPACT_TOPIC).
                          Without it a sealed run that should be compacted is logged, not compacted.
  -h, --help              This help.
  --version               Print the version and exit.
Every flag is also accepted in snake_case (--config_dir).

Environment:
  PORT                    Push mode listen port. Default: ${WORKER_DEFAULTS.port}
  HOST                    Push mode listen address. Default: ${WORKER_DEFAULTS.host} (all interfaces);
                          127.0.0.1 keeps it on this machine.
  RDC_ACK_DEADLINE_SECONDS  The subscription's ack deadline (push: the request timeout).
                          Every retry budget stays under it. Default: ${WORKER_DEFAULTS.ackDeadlineSeconds}
  RDC_MAX_DELIVERY_ATTEMPTS Deliveries before a failing page is dead-lettered; match the
                          subscription's dead-letter policy. Default: ${WORKER_DEFAULTS.maxDeliveryAttempts}
  RDC_PUSH_AUTH           oidc or off. Default: ${WORKER_DEFAULTS.pushAuth}. off is for the emulator only and logs a WARNING.
  RDC_PUSH_AUDIENCE       Expected OIDC audience (the push endpoint URL).
  RDC_PUSH_SERVICE_ACCOUNT Expected email of the push subscription's service account.
  RDC_MAX_BODY_BYTES      Largest push body accepted. Default: ${WORKER_DEFAULTS.maxBodyBytes}
  RDC_PUSH_BODY_TIMEOUT_SECONDS  A push body not complete within this gets 408. Default: ${WORKER_DEFAULTS.pushBodyTimeoutSeconds}
  RDC_ACTIVITY_SECONDS    Seconds between activity lines (tasks landed and failed, retries, 429 waits,
                          bytes written), each only when something changed. Default: ${WORKER_DEFAULTS.activitySeconds}
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

const subscriptionName = z.string().regex(/^[A-Za-z][A-Za-z0-9._~%+-]{2,254}$/, 'expected a Pub/Sub subscription name');
const workerMode = z.enum(['push', 'pull'], { error: 'expected push or pull' });
const pushAuthKind = z.enum(['oidc', 'off'], { error: 'expected oidc or off' });

/** The worker's settings, from flags and env; their defaults are `WORKER_DEFAULTS` (defaults.ts). */
export interface WorkerConfig {
  /**
   * push: an HTTP server for a Pub/Sub push subscription; pull: streaming pull.
   * @default 'push'
   */
  mode: 'push' | 'pull';
  /**
   * Push mode listen port (PORT).
   * @default 8080
   */
  port: number;
  /**
   * Pull mode: messages leased and handled at once.
   * @default 8
   */
  concurrency: number;
  /**
   * Where pages land.
   * @example 'gs://my-bucket/raw'
   */
  sink: string;
  project?: string | undefined;
  /**
   * Pull subscription.
   * @default 'rdc-pages-pull'
   */
  subscription: string;
  configDir?: string | undefined;
  /** @default false */
  gzip: boolean;
  /** Compact every sealed run, whatever its endpoint's `parquet` config says. */
  parquet: boolean;
  /** Where compaction tasks are published when a run seals. */
  compactTopic?: string | undefined;
  /**
   * The subscription's ack deadline; every retry budget stays under it.
   * @default 60
   */
  ackDeadlineSeconds: number;
  /**
   * Deliveries before a failing page is dead-lettered.
   * @default 5
   */
  maxDeliveryAttempts: number;
  /** @default 'oidc' */
  pushAuth: 'oidc' | 'off';
  /** @example 'https://worker-abc-uc.a.run.app/' */
  pushAudience?: string | undefined;
  /** @example 'push-invoker@my-project.iam.gserviceaccount.com' */
  pushServiceAccount?: string | undefined;
  /** @default 65_536 */
  maxBodyBytes: number;
  /** @default 10 */
  pushBodyTimeoutSeconds: number;
  /**
   * Seconds between activity lines, each only when something changed; one more when the worker stops.
   * @default 60
   */
  activitySeconds: number;
}

/** The worker's flags by kebab-case name (each also accepted in snake_case). */
export const WORKER_FLAGS = {
  mode: { type: 'string' },
  concurrency: { type: 'string' },
  sink: { type: 'string' },
  project: { type: 'string' },
  subscription: { type: 'string' },
  'config-dir': { type: 'string' },
  gzip: { type: 'boolean' },
  parquet: { type: 'boolean' },
  'compact-topic': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies FlagSpecs;

export type WorkerCommand = { help: true } | { help: false; config: WorkerConfig };

/** Reads the worker's flags and env. Throws ConfigError (exit 2) naming the flag or variable. */
export function parseWorkerConfig(argv: string[], env: NodeJS.ProcessEnv): WorkerCommand {
  const { values, spelled } = parseFlags(argv, WORKER_FLAGS);
  if (values.help) return { help: true };
  parseLogSettings(env);
  const inputs = new Inputs(values, env, spelled);
  const sink = sinkSetting(inputs, '');
  if (!sink) throw new ConfigError('--sink is required: set --sink or RDC_SINK (gs://bucket/prefix or file:///path).');
  const config: WorkerConfig = {
    mode: inputs.checked(workerMode, 'mode', 'RDC_WORKER_MODE', WORKER_DEFAULTS.mode),
    port: inputs.int('', 'PORT', WORKER_DEFAULTS.port, { min: 0, max: 65535 }),
    concurrency: inputs.int('concurrency', 'RDC_CONCURRENCY', WORKER_DEFAULTS.concurrency, { min: 1, max: 256 }),
    sink,
    project: inputs.text('project', 'GOOGLE_CLOUD_PROJECT') ?? inputs.text('project', 'GCLOUD_PROJECT'),
    subscription: inputs.checked(subscriptionName, 'subscription', 'RDC_SUBSCRIPTION', WORKER_DEFAULTS.subscription),
    configDir: inputs.text('config-dir', 'RDC_CONFIG_DIR'),
    gzip: inputs.bool('gzip', 'RDC_GZIP'),
    parquet: inputs.bool('parquet', 'RDC_PARQUET'),
    compactTopic: inputs.text('compact-topic', 'RDC_COMPACT_TOPIC'),
    ackDeadlineSeconds: inputs.int('', 'RDC_ACK_DEADLINE_SECONDS', WORKER_DEFAULTS.ackDeadlineSeconds, {
      min: 10,
      max: 600,
    }),
    maxDeliveryAttempts: inputs.int('', 'RDC_MAX_DELIVERY_ATTEMPTS', WORKER_DEFAULTS.maxDeliveryAttempts, {
      min: 1,
      max: 100,
    }),
    pushAuth: inputs.checked(pushAuthKind, '', 'RDC_PUSH_AUTH', WORKER_DEFAULTS.pushAuth),
    pushAudience: inputs.text('', 'RDC_PUSH_AUDIENCE'),
    pushServiceAccount: inputs.text('', 'RDC_PUSH_SERVICE_ACCOUNT'),
    maxBodyBytes: inputs.int('', 'RDC_MAX_BODY_BYTES', WORKER_DEFAULTS.maxBodyBytes, { min: 1024, max: 10_000_000 }),
    pushBodyTimeoutSeconds: inputs.int('', 'RDC_PUSH_BODY_TIMEOUT_SECONDS', WORKER_DEFAULTS.pushBodyTimeoutSeconds, {
      min: 1,
      max: 600,
    }),
    activitySeconds: inputs.int('', 'RDC_ACTIVITY_SECONDS', WORKER_DEFAULTS.activitySeconds, { min: 1, max: 86_400 }),
  };
  if (config.mode === 'push' && config.pushAuth === 'oidc' && (!config.pushAudience || !config.pushServiceAccount)) {
    throw new ConfigError(
      'Push auth is on (RDC_PUSH_AUTH=oidc) but RDC_PUSH_AUDIENCE and RDC_PUSH_SERVICE_ACCOUNT are not both set. Set them to the push endpoint URL and the push service account email, or RDC_PUSH_AUTH=off for the emulator only.',
    );
  }
  return { help: false, config };
}
