/** Defaults of the core, in one place. */

/**
 * Time-slice size of a cursor-paginated endpoint when neither `--slice` nor the
 * endpoint's `slice` sets one.
 * @default "1d"
 */
export const DEFAULT_SLICE = '1d';

/**
 * Most time slices one run may fan out into (a guard against `--slice 1ms` over a year).
 * @default 100_000
 */
export const MAX_SLICES = 100_000;

/**
 * Page files and slice markers number pages and slices with at least this many digits.
 * @default 6
 * @example 'page-000042'
 */
export const INDEX_DIGITS = 6;

/**
 * Adaptive slicing of a cursor-paginated window: about one slice per this many
 * pages, so a slice's partial last page adds a tenth of a request per page at most.
 * @default 10
 */
export const PAGES_PER_SLICE = 10;

/**
 * A slice holds at least this many pages when the window is cut for more workers.
 * @default 8
 */
export const MIN_PAGES_PER_SLICE = 8;

/**
 * Workers the planner fans a cursor window out to when it is not told (`--concurrency`).
 * @default 8
 */
export const DEFAULT_FAN_OUT = 8;

/**
 * The density probe of a cursor window reads on while its records cover less
 * than this (a bulk import shares one instant), up to PROBE_MAX_REQUESTS
 * requests: each is one request over the ideal.
 */
export const PROBE_MIN_SPAN_MS = 1000;
export const PROBE_MAX_REQUESTS = 2;

/** Adaptive slices are at least this long, however dense the probed page. */
export const MIN_ADAPTIVE_SLICE_MS = 60_000;

/**
 * Parquet compaction of a sealed run (compact/): rows per row group, what a
 * writer holds in memory at once.
 * @default 20000
 */
export const PARQUET_ROW_GROUP_ROWS = 20_000;

/**
 * A partition's Parquet file is closed after the row group that takes it past
 * this size, and the next file begun; it also bounds the file held in memory.
 * @default 134217728 (128 MiB)
 */
export const PARQUET_MAX_FILE_BYTES = 128 * 1024 * 1024;

/** Compression of Parquet pages: Snappy, which every reader decodes fast. */
export const PARQUET_CODEC = 'snappy';

/**
 * A slice's walk may take this many times the pages the probe expects in it
 * (`limits.maxPagesPerSlice` overrides), and never fewer than MIN_WALK_PAGES.
 */
export const WALK_MARGIN = 10;
export const MIN_WALK_PAGES = 100;

/** Pages a slice's walk may take when no probe measured the window (a fixed `--slice`). */
export const UNPROBED_WALK_PAGES = 10_000;

/** Seconds a slice's walk may take per page of its bound (`limits.maxSliceSeconds` overrides), at least MIN_WALK_SECONDS. */
export const WALK_SECONDS_PER_PAGE = 3;
export const MIN_WALK_SECONDS = 600;
