import { ConfigError, type Window } from '@rdc/contracts';

// Parsing of dates and durations lives in @rdc/contracts, so the config is checked with them at load.
export { formatDuration, parseDuration, parseInstant } from '@rdc/contracts';

/** Truncates to a multiple of `granularityMs` since the epoch (UTC). */
export function truncate(date: Date, granularityMs: number): Date {
  return new Date(Math.floor(date.getTime() / granularityMs) * granularityMs);
}

export interface WindowInput {
  start: Date;
  /** Explicit end; when absent the end is `now` truncated to `granularityMs`. */
  end?: Date;
  now: Date;
  granularityMs: number;
}

/**
 * Resolves the run's window, [start, end). The end is pinned here, once, so
 * records that arrive during the run fall into the next window.
 */
export function resolveWindow(input: WindowInput): Window {
  const end = input.end ?? truncate(input.now, input.granularityMs);
  if (input.start.getTime() >= end.getTime()) {
    throw new ConfigError(
      `The window is empty: start ${input.start.toISOString()} is not before end ${end.toISOString()}. ` +
        (input.end
          ? 'Pass an --end_date after --start_date.'
          : 'Pass an earlier --start_date, or an explicit --end_date.'),
    );
  }
  if (input.end && input.end.getTime() > input.now.getTime()) {
    throw new ConfigError(
      `--end_date ${input.end.toISOString()} is in the future; records after now cannot be complete yet. Pass an end at or before ${input.now.toISOString()}.`,
    );
  }
  return { start: input.start, end };
}
