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
    error?: string;
    completeness?: { expected: number; landed: number; missing: number; duplicates: number };
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
    this.timeout(120_000);
    const run = await runCli(BENCH, ['--quick', '--out-dir', dir], cleanEnv(), 90_000);
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
    expect([...scenarios]).to.have.members(['S1', 'S2', 'S3', 'Memory']);
    const ids = report.figures.map((f) => f.id);
    expect(ids).to.include.members(['s1.a', 's1.b', 's1.c-push', 's1.c-pull', 's2.ceiling', 's2.b']);
    expect(ids).to.include.members(['s3.ceiling', 's3.planner', 'memory.small', 'memory.large']);

    for (const figure of report.figures) {
      if (figure.skipped) {
        // Only the emulator scenarios may be skipped, and never in CI.
        expect(process.env.CI, `${figure.contender}: ${figure.skipped}`).not.to.equal('true');
        expect(figure.id).to.match(/^(s1\.c-|s3\.)/);
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

    const svg = files.find((f) => /^quick-\d{8}T\d{6}Z-s1\.svg$/.test(f));
    expect(svg, files.join(', ')).to.be.a('string');
    const chart = readFileSync(join(dir, svg!), 'utf8');
    expect(chart).to.match(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(chart.trimEnd()).to.match(/<\/svg>$/);
    expect((chart.match(/<polyline /g) ?? []).length).to.be.at.least(2);
    expect(existsSync(join(dir, 'quick-latest.json'))).to.equal(true);
  });
});
