import type { BenchSizes } from './config.js';
import type { Machine } from './machine.js';
import type { Completeness } from './support/landed.js';

export type ScenarioName = 'S1' | 'S2' | 'S3' | 'S4' | 'Memory' | 'Requests' | 'Startup' | 'Compaction';

/** One contender's figures. Rates are steady rates: (n - 1) / (last - first completion). */
export interface Figure {
  scenario: ScenarioName;
  /** Stable key, e.g. `s1.b` or `s3.ceiling`. */
  id: string;
  contender: string;
  unit: 'pages' | 'messages' | 'ms' | 'records';
  /** Pages landed, messages published, or (Startup) milliseconds. */
  count: number;
  rate?: number;
  recordsPerSecond?: number;
  /** From spawning the contender to its last page (or its exit). */
  wallSeconds?: number;
  /** What `ratio` divides by: the S1 bound, the S2 fetch-only rate, the S3 bare loop. */
  reference?: number;
  ratio?: number;
  /** A second reference, e.g. S2 (b) against the fetch-only ceiling as well as the minimal connector. */
  also?: { against: string; reference: number; ratio: number };
  /** rate / the sequential baseline's rate (S1). */
  speedup?: number;
  peakRssMb?: number;
  /**
   * CPU time of the measured process (user + system, all threads, start-up included)
   * per page or message: steadier than rates on a shared machine.
   */
  cpuMsPerUnit?: number;
  /** Every expected id landed once, in order, and nothing was dead-lettered (or, S3: every task confirmed). */
  complete: boolean;
  completeness?: Completeness;
  /** 429 answers the API sent during this contender's run, and requests it saw. */
  http429?: number;
  requests?: number;
  /** [seconds since the first page landed, pages landed so far]. */
  timeline?: [number, number][];
  note?: string;
  error?: string;
  skipped?: string;
}

export interface Target {
  text: string;
  value: string;
  /** undefined: not measured in this run. */
  met: boolean | undefined;
}

export interface BenchReport {
  version: 1;
  mode: 'full' | 'quick';
  startedAt: string;
  seconds: number;
  machine: Machine;
  sizes: BenchSizes;
  /** S1's bound, pages/s: min(rate limit, concurrency / latency). */
  s1Bound: number;
  figures: Figure[];
  targets: Target[];
  /** Every figure that ran is complete. */
  complete: boolean;
}

const num = (v: number | undefined, digits = 0): string =>
  v === undefined ? '-' : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (v: number | undefined): string => (v === undefined ? '-' : `${Math.round(v * 100)}%`);

/** The figures as a fixed-width table, one row per contender. */
export function formatTable(report: BenchReport): string {
  const header = [
    '',
    'contender',
    'n',
    'rate/s',
    'records/s',
    'vs',
    'ratio',
    'speedup',
    'peak RSS',
    'CPU ms',
    'requests',
    '429s',
    'complete',
  ];
  const rows = report.figures.map((f) => [
    f.scenario,
    f.contender,
    `${num(f.count)} ${f.unit === 'pages' ? 'pg' : f.unit === 'ms' ? 'ms' : f.unit === 'records' ? 'rec' : 'msg'}`,
    num(f.rate, f.rate !== undefined && f.rate < 100 ? 1 : 0),
    num(f.recordsPerSecond),
    num(f.reference),
    pct(f.ratio),
    f.speedup === undefined ? '-' : `${num(f.speedup, 1)}x`,
    f.peakRssMb === undefined ? '-' : `${num(f.peakRssMb)} MB`,
    num(f.cpuMsPerUnit, f.cpuMsPerUnit !== undefined && f.cpuMsPerUnit < 0.1 ? 3 : 2),
    num(f.requests),
    num(f.http429),
    f.skipped
      ? `skipped: ${f.skipped}`
      : f.error
        ? `FAILED: ${f.error.split('\n')[0] ?? ''}`
        : f.complete
          ? 'yes'
          : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const right = new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const targets = report.targets.map(
    (t) => `  ${t.met === undefined ? '?' : t.met ? 'met ' : 'MISS'}  ${t.text}: ${t.value}`,
  );
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `S1 bound ${num(report.s1Bound)} pages/s. "vs" is what "ratio" divides by: S1 the bound; S2 the minimal connector (its own row: fetch-only);`,
    'S3, S4 the bare publish loop; Memory the small run; Requests the ideal request count, ceil(records / page size);',
    'Startup the same command with the cloud SDKs preloaded, as the apps loaded them before (ratio: now / that).',
    '"CPU ms" is the measured process\'s CPU time (user + system, start-up included) per page or message.',
    ...report.figures
      .filter((f) => f.also)
      .map(
        (f) =>
          `${f.scenario} ${f.contender}: ${pct(f.also?.ratio)} of the ${f.also?.against} (${num(f.also?.reference)}/s)`,
      ),
    'Targets:',
    ...targets,
  ].join('\n');
}
