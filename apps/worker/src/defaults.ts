/**
 * Every default of the worker, in one place. `parseWorkerConfig` applies them
 * and `--help` prints them from here.
 */
export const WORKER_DEFAULTS = {
  /** How tasks arrive (`--mode`, RDC_WORKER_MODE). */
  mode: 'push',
  /** Push mode listen port (PORT). */
  port: 8080,
  /** Push mode listen address (HOST): all interfaces. */
  host: '0.0.0.0',
  /** Pull mode: messages leased and handled at once (`--concurrency`, RDC_CONCURRENCY). */
  concurrency: 8,
  /** Pull subscription (`--subscription`, RDC_SUBSCRIPTION). */
  subscription: 'rdc-pages-pull',
  /** The subscription's ack deadline (RDC_ACK_DEADLINE_SECONDS); every retry budget stays under it. */
  ackDeadlineSeconds: 60,
  /** Deliveries before a failing page is dead-lettered (RDC_MAX_DELIVERY_ATTEMPTS). */
  maxDeliveryAttempts: 5,
  /** Push request authentication (RDC_PUSH_AUTH). */
  pushAuth: 'oidc',
  /** Largest push body accepted (RDC_MAX_BODY_BYTES). */
  maxBodyBytes: 65_536,
  /** A push body not complete within this gets 408 (RDC_PUSH_BODY_TIMEOUT_SECONDS). */
  pushBodyTimeoutSeconds: 10,
  /**
   * Seconds between activity lines (tasks landed and failed, API retries, 429 waits,
   * bytes written), logged only when something changed (RDC_ACTIVITY_SECONDS).
   */
  activitySeconds: 60,
} as const;
