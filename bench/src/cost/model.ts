import type { OpsProfile, StorageOps } from './measure.js';

/** The figures of a bench run (bench/results/*.json) the cost model uses. */
export interface BenchFigure {
  id: string;
  count: number;
  cpuMsPerUnit?: number;
  requests?: number;
}
export interface BenchResults {
  startedAt: string;
  sizes: { s1: { rateLimit: number } };
  figures: BenchFigure[];
}

/** The deployment the billed figures assume: the Terraform module's defaults. */
export const DEPLOYMENT = {
  workerInstances: 5,
  workerVcpu: 1,
  workerMemoryGiB: 0.5,
  maxPagesPerRun: 100_000,
  pageSize: 250,
};

export interface CostRow {
  what: string;
  perThousandPages: number;
  seedMonth: number;
  backfill: number;
}

export interface CostModel {
  bench: string;
  seedPagesPerMonth: number;
  backfillPages: number;
  backfillRuns: number;
  rows: CostRow[];
}

const HOURS_PER_MONTH = 24 * 30;
const BACKFILL_HOURS = 3 * 365 * 24;

function figure(results: BenchResults, id: string): BenchFigure {
  const f = results.figures.find((x) => x.id === id);
  if (!f || f.cpuMsPerUnit === undefined) {
    throw new Error(`The bench results have no figure "${id}" with cpuMsPerUnit; run \`npm run bench\` (full) first.`);
  }
  return f;
}

const per = (ops: StorageOps & { pages: number }, key: keyof StorageOps): number => ops[key] / ops.pages;

/**
 * Costs in billable units, per 1,000 pages and at two scales: the seed's
 * (6,000 records an hour, hourly runs, a 30-day month) and a three-year backfill
 * (consecutive runs of up to maxPagesPerRun pages). Storage operations and API
 * requests come from `measureOps` (the real code paths, counted); CPU from the
 * bench's measured CPU time per page and per published message.
 */
export function costModel(results: BenchResults, ops: OpsProfile): CostModel {
  const worker = figure(results, 's1.c-push-load');
  const planner = figure(results, 's4.planner');
  const pagesPerHour = Math.ceil(ops.recordsPerHour / ops.pageSize);
  const seedPagesPerMonth = pagesPerHour * HOURS_PER_MONTH;
  const backfillPages = Math.ceil((ops.recordsPerHour * BACKFILL_HOURS) / ops.pageSize);
  const backfillRuns = Math.ceil(backfillPages / DEPLOYMENT.maxPagesPerRun);
  const messageBytes = ops.taskBytes + ops.attributeBytes;
  // Billed instance time: the fleet busy at the API's rate limit, every instance allocated.
  const billedSecondsPerPage = DEPLOYMENT.workerInstances / results.sizes.s1.rateLimit;

  const rows: [string, number, number][] = [
    // [what, per page at seed scale (hourly runs), per page in a backfill]
    ['API requests (planning and pages)', per(ops.hourly, 'apiRequests'), per(ops.backfill, 'apiRequests')],
    ['Pub/Sub messages (published + pushed)', 2, 2],
    ['Pub/Sub bytes (published + pushed)', 2 * messageBytes, 2 * messageBytes],
    ['GCS Class A operations (writes, lists)', per(ops.hourly, 'classA'), per(ops.backfill, 'classA')],
    ['GCS Class B operations (reads)', per(ops.hourly, 'classB'), per(ops.backfill, 'classB')],
    ['GCS bytes written', per(ops.hourly, 'bytesWritten'), per(ops.backfill, 'bytesWritten')],
    ['Worker CPU time, measured (vCPU-s)', worker.cpuMsPerUnit! / 1000, worker.cpuMsPerUnit! / 1000],
    [
      'Worker billed vCPU-s (fleet at the API limit)',
      billedSecondsPerPage * DEPLOYMENT.workerVcpu,
      billedSecondsPerPage * DEPLOYMENT.workerVcpu,
    ],
    [
      'Worker billed GiB-s (fleet at the API limit)',
      billedSecondsPerPage * DEPLOYMENT.workerMemoryGiB,
      billedSecondsPerPage * DEPLOYMENT.workerMemoryGiB,
    ],
    ['Planner CPU time, measured (vCPU-s)', planner.cpuMsPerUnit! / 1000, planner.cpuMsPerUnit! / 1000],
  ];
  return {
    bench: results.startedAt,
    seedPagesPerMonth,
    backfillPages,
    backfillRuns,
    rows: rows.map(([what, seedPerPage, backfillPerPage]) => ({
      what,
      perThousandPages: seedPerPage * 1000,
      seedMonth: seedPerPage * seedPagesPerMonth,
      backfill: backfillPerPage * backfillPages,
    })),
  };
}

/** Three significant figures, thousands separated: 1,234,000 · 41.7 · 0.0169. */
export function formatNumber(n: number): string {
  if (n === 0) return '0';
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(n))));
  const rounded = Number(n.toPrecision(3));
  return rounded.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** The table the deploy guide carries between its cost-model markers. */
export function formatCostTable(model: CostModel): string {
  const lines = [
    `| Billable unit | per 1,000 pages (hourly runs) | seed scale, one month (${formatNumber(model.seedPagesPerMonth)} pages) | three-year backfill (${formatNumber(model.backfillPages)} pages, ${model.backfillRuns} runs) |`,
    '| --- | --: | --: | --: |',
    ...model.rows.map(
      (r) =>
        `| ${r.what} | ${formatNumber(r.perThousandPages)} | ${formatNumber(r.seedMonth)} | ${formatNumber(r.backfill)} |`,
    ),
    '',
    `Computed by \`npm run cost\` from the bench run of ${model.bench} (\`bench/results/full-latest.json\`).`,
  ];
  return lines.join('\n');
}
