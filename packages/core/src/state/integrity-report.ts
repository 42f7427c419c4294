/** What sealing found about a run's landed records as a whole. */
export interface IntegrityReport {
  /** Exactly the planned records (when the plan knows the total), each id once. */
  ok: boolean;
  /**
   * `ranges`: proved from the page summaries alone (each page's ids distinct,
   * pages' id ranges in strict order); `ids`: every id was read again.
   */
  method: 'ranges' | 'ids';
  /** Records in the landed pages (lines). */
  records: number;
  /** Distinct ids among them. */
  distinct: number;
  /** Records the plan counted (page plans); absent for cursor slices, which have no total. */
  expected?: number;
  /** Extra occurrences of ids that landed more than once. */
  duplicates: number;
  /** Planned records that did not land: expected - distinct (when known and positive). */
  missing?: number;
  /** Up to `SAMPLE` duplicated ids and the pages that hold them. */
  sample: { id: string; pages: string[] }[];
  /** Pages involved (holding a repeated id), up to `PAGES_NAMED`, in run order. */
  pages: string[];
  /** Pages involved in all (`pages` may be cut short). */
  pagesInvolved?: number;
  cause?: 'stray-objects' | 'ignored-offset' | 'shifted' | 'unstable-order' | 'count';
  /** Data objects in the run's partitions that no page record names (up to `PAGES_NAMED`). */
  strays?: string[];
  /** One line: the likely cause, for people. */
  explanation?: string;
  /** One line: what to do. */
  remedy?: string;
}

export const SAMPLE = 10;
export const PAGES_NAMED = 20;

/** One id seen a second time, with where (index in run order, position in page, page length). */
export interface Duplicate {
  id: string;
  first: { page: number; stem: string; index: number; length: number };
  again: { page: number; stem: string; index: number; length: number };
}

/** Tallies duplicates as the exact check finds them, in memory bounded by pages, not records. */
export class DuplicateTally {
  count = 0;
  boundary = 0;
  readonly sample: Duplicate[] = [];
  /** Per page (by index in run order): its length and how many of its records repeat an earlier one. */
  readonly perPage = new Map<number, { stem: string; length: number; repeats: number }>();

  add(dup: Duplicate): void {
    this.count++;
    if (this.sample.length < SAMPLE) this.sample.push(dup);
    const { first, again } = dup;
    // Records shifted by k between two requests: the last k of one page open the next.
    const shift = again.index + first.length - first.index;
    if (again.page === first.page + 1 && shift <= first.length / 2) this.boundary++;
    const entry = this.perPage.get(again.page) ?? { stem: again.stem, length: again.length, repeats: 0 };
    entry.repeats++;
    this.perPage.set(again.page, entry);
  }
}

const EXPLAIN: Record<NonNullable<IntegrityReport['cause']>, string> = {
  'stray-objects':
    "data objects sit in the run's partitions that no page record names: a page landed in both encodings (.ndjson and .ndjson.gz) by writers racing, or objects were copied in",
  'ignored-offset':
    'whole pages repeat earlier ones: the API ignored the offset or page parameter (check pagination.offsetParam / pageParam in the endpoint config)',
  shifted:
    'ids repeat across page boundaries: records were inserted (or removed) in the window while the run read it, or the API repeated a boundary record, so later pages shifted',
  'unstable-order':
    "ids repeat at random across pages: the API's order is not stable between requests (no unique sort key), so offsets do not address the same records twice",
  count: 'the landed pages hold a different number of records than the plan counted',
};

export interface DiagnoseInput {
  runId: string;
  records: number;
  expected: number | undefined;
  tally: DuplicateTally;
  /** Data objects of the run's partitions that no page record names. */
  strays: readonly string[];
}

/** Turns the exact check's tally into a report: ok, or the pages, ids, likely cause and remedy. */
export function diagnose(input: DiagnoseInput): IntegrityReport {
  const { tally, records, expected } = input;
  const distinct = records - tally.count;
  const ok = tally.count === 0 && input.strays.length === 0 && (expected === undefined || distinct === expected);
  const base: IntegrityReport = {
    ok,
    method: 'ids',
    records,
    distinct,
    ...(expected !== undefined ? { expected } : {}),
    duplicates: tally.count,
    ...(expected !== undefined && expected > distinct ? { missing: expected - distinct } : {}),
    sample: tally.sample.map((d) => ({ id: d.id, pages: [d.first.stem, d.again.stem] })),
    pages: [],
  };
  if (ok) return base;
  const involved = [...tally.perPage.entries()].sort(([a], [b]) => a - b);
  const full = involved.filter(([, p]) => p.repeats === p.length).length;
  let cause: NonNullable<IntegrityReport['cause']>;
  if (input.strays.length > 0) cause = 'stray-objects';
  else if (tally.count === 0) cause = 'count';
  else if (full > 0 && full * 2 >= involved.length) cause = 'ignored-offset';
  else if (tally.boundary === tally.count) cause = 'shifted';
  else cause = 'unstable-order';
  return {
    ...base,
    pages: involved.slice(0, PAGES_NAMED).map(([, p]) => p.stem),
    pagesInvolved: involved.length,
    ...(input.strays.length > 0 ? { strays: input.strays.slice(0, PAGES_NAMED) } : {}),
    cause,
    explanation: EXPLAIN[cause],
    remedy:
      `Nothing was sealed. Once the API behaves (or the config is fixed), \`npm start -- --repair ${input.runId}\` ` +
      '(or the planner with --repair) retires this run and lands its window again as a fresh run.',
  };
}
