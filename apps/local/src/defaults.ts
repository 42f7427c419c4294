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
