/** Every default of the sinks package, in one place. */

/** Content type of an object written without one. */
export const DEFAULT_CONTENT_TYPE = 'application/x-ndjson';

export const GCS_DEFAULTS = {
  /**
   * Total time one sink call may take, retries included. It must stay under the
   * Pub/Sub ack deadline (60 s by default), so a slow write fails as a TransientError
   * and is redelivered instead of the message expiring while the page is in flight.
   */
  deadlineMs: 50_000,
  /** The smallest deadline that leaves room for one attempt, one backoff and one retry. */
  minDeadlineMs: 3_000,
  /** Project id used against an emulator or test server, where no credentials are used. */
  emulatorProjectId: 'local-project',
  /** How long a sink trusts that its bucket exists before asking again, after an object 404. */
  bucketPresentForMs: 300_000,
} as const;
