/**
 * Defaults of `npm start` that no other app shares, in one place; the help
 * prints them from here.
 */
export const LOCAL_DEFAULTS = {
  /**
   * Seconds between progress lines when stderr is not a terminal (or logs are
   * JSON); on a terminal, the live line is redrawn at least this often
   * (RDC_PROGRESS_SECONDS, 1 to 3600).
   */
  progressSeconds: 10,
} as const;

/** Defaults of `status`; its `--help` prints them from here. */
export const STATUS_DEFAULTS = {
  /** `--wait`: how often the run (or the backfill's runs) is read again. Two seconds. */
  pollMs: 2_000,
  /** `--timeout` of `--wait`: a run not sealed or failed by then exits 1. Six hours. */
  timeoutMs: 6 * 3_600_000,
  /**
   * A run with pages missing is `running` while it was planned or its last page
   * landed this recently, else `incomplete` (its missing pages are likely lost:
   * resume it). Fifteen minutes.
   */
  quietMs: 15 * 60_000,
  /** `status <service>/<endpoint>`: runs listed, the last planned first. */
  listed: 20,
  /**
   * `status <service>/<endpoint>`: manifests read at most to order the runs by plan
   * time; of an endpoint with more runs, those with the latest windows and the run
   * planned last are read.
   */
  scanned: 500,
  /** `--wait` on a backfill: unsealed runs read per poll at most (the rest on the next polls). */
  runsPerPoll: 8,
} as const;
