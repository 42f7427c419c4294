/** Defaults of the core, in one place. */

/**
 * Time-slice size of a cursor-paginated endpoint when neither `--slice` nor the
 * endpoint's `slice` sets one.
 * @default "1d"
 */
export const DEFAULT_SLICE = '1d';

/** Most time slices one run may fan out into (a guard against `--slice 1ms` over a year). */
export const MAX_SLICES = 100_000;

/** Page files and slice markers number pages and slices with at least this many digits. */
export const INDEX_DIGITS = 6;
