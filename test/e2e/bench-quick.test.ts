import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { cleanEnv, repoRoot, runCli } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';

/** The slice of bench/results/*.json this test relies on. */
interface BenchJson {
  version: number;
  mode: string;
  complete: boolean;
  machine: { cores: number; node: string };
  figures: {
    scenario: string;
    id: string;
    contender: string;
    count: number;
    complete: boolean;
    skipped?: string;
    note?: string;
    error?: string;
    completeness?: { expected: number; landed: number; missing: number; duplicates: number };
    requests?: number;
    reference?: number;
    ratio?: number;
  }[];
  targets: { text: string }[];
}

const BENCH = join(repoRoot, 'bench/dist/run.js');

/**
 * `npm run bench -- --quick` end to end: it proves the bench works and that every
 * scenario's output is complete. Speed is never asserted here.
 */
describe('bench --quick', () => {
  let dir: string;
  let cleanup: () => void;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir('rdc-bench-test-'));
  });
  afterEach(() => cleanup());

  it('runs every scenario, lands complete output, and writes well-formed JSON and the S1 chart', async function () {
    this.timeout(210_000);
    const run = await runCli(BENCH, ['--quick', '--out-dir', dir], cleanEnv(), 180_000);
    expect(run.code, `${run.stdout}\n${run.stderr}`).to.equal(0);
    expect(run.stdout).to.contain('Every scenario landed complete output.');

    const files = readdirSync(dir);
    const json = files.find((f) => /^quick-\d{8}T\d{6}Z\.json$/.test(f));
    expect(json, files.join(', ')).to.be.a('string');
    const report = JSON.parse(readFileSync(join(dir, json!), 'utf8')) as BenchJson;
    expect(report).to.include({ version: 1, mode: 'quick', complete: true });
    expect(report.machine.cores).to.be.greaterThan(0);
    expect(report.targets.length).to.be.greaterThan(0);

    const scenarios = new Set(report.figures.map((f) => f.scenario));
    expect([...scenarios]).to.have.members(['S1', 'S2', 'S3', 'S4', 'Memory', 'Requests', 'Startup', 'Compaction']);
    const ids = report.figures.map((f) => f.id);
    expect(ids).to.include.members(['s1.a', 's1.b', 's1.c-push-load', 's1.c-push', 's1.c-pull']);
    expect(ids).to.include.members(['s2.ceiling', 's2.minimal', 's2.b', 's3.ceiling', 's3.planner']);
    expect(ids).to.include.members(['s4.ceiling', 's4.planner', 'memory.small', 'memory.large']);
    // Requests per ideal: offsets planned from a total, and a cursor walked in time slices.
    expect(ids).to.include.members(['requests.pg_offset', 'requests.pg_after']);
    // Start-up: each app's --help and a push worker's first request from a cold start, in ms, next to the figure before.
    expect(ids).to.include.members(['startup.help.local', 'startup.help.worker', 'startup.push-cold']);
    // Compaction: the connector's compactRun next to DuckDB's COPY over the same NDJSON, file counts in the note.
    expect(ids).to.include.members(['compaction.rdc', 'compaction.duckdb']);
    for (const figure of report.figures.filter((f) => f.scenario === 'Compaction')) {
      expect(figure.note, figure.contender).to.match(/NDJSON parts .* → \d+ Parquet files/);
    }
    for (const figure of report.figures.filter((f) => f.scenario === 'Startup')) {
      expect(figure.reference, figure.contender).to.be.greaterThan(0);
      expect(figure.ratio, figure.contender).to.be.closeTo(figure.count / figure.reference!, 0.01);
    }

    for (const figure of report.figures) {
      if (figure.skipped) {
        // Only the emulator scenarios may be skipped, and never in CI.
        expect(process.env.CI, `${figure.contender}: ${figure.skipped}`).not.to.equal('true');
        expect(figure.id).to.match(/^(s1\.c-push|s1\.c-pull|s3\.|s4\.)/);
        expect(figure.id).not.to.equal('s1.c-push-load');
        continue;
      }
      expect(figure.error, figure.contender).to.equal(undefined);
      expect(figure.complete, figure.contender).to.equal(true);
      expect(figure.count, figure.contender).to.be.greaterThan(0);
      if (figure.completeness) {
        const c = figure.completeness;
        expect(c, figure.contender).to.include({ missing: 0, duplicates: 0 });
        expect(c.landed, figure.contender).to.equal(c.expected);
      }
    }

    // Requests per ideal: the API saw at least the ideal count of requests, and the ratio says how many.
    for (const figure of report.figures.filter((f) => f.scenario === 'Requests')) {
      expect(figure.reference, figure.contender).to.be.greaterThan(0);
      expect(figure.requests, figure.contender).to.be.at.least(figure.reference!);
      expect(figure.ratio, figure.contender).to.be.closeTo(figure.requests! / figure.reference!, 1e-9);
    }
    const texts = report.targets.map((t) => t.text);
    expect(texts).to.include.members([
      'S1 (c) push worker, load generator >= 90% of the bound',
      'S2 (b) >= 80% of the minimal connector',
      'S2 (b) >= 30% of the fetch-only client',
      'S4 planner >= 90% of the bare loop',
      'S4 planner peak RSS < 200 MB',
      "Every scenario's output complete by ids",
    ]);

    const svg = files.find((f) => /^quick-\d{8}T\d{6}Z-s1\.svg$/.test(f));
    expect(svg, files.join(', ')).to.be.a('string');
    const chart = readFileSync(join(dir, svg!), 'utf8');
    expect(chart).to.match(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(chart.trimEnd()).to.match(/<\/svg>$/);
    expect((chart.match(/<polyline /g) ?? []).length).to.be.at.least(2);
    expect(existsSync(join(dir, 'quick-latest.json'))).to.equal(true);
  });
});
