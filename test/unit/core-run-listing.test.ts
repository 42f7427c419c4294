import { expect } from 'chai';
import { makeRunId, parseRunId } from '@rdc/core';
import { plannedRunKey } from '@rdc/core/bucket-layout.js';
import { writeManifest } from '@rdc/core/state/manifest.js';
import { plannedRuns, recentPlannedRuns } from '@rdc/core/state/run-listing.js';
import { FileSink } from '@rdc/sinks';
import { tempDir } from '../support/hooks.js';

/**
 * An endpoint's runs as `status` lists them: by the plan time in their
 * manifests, whatever their windows; with a bound on the manifests read.
 */
describe('listing an endpoint’s runs', () => {
  let folder: ReturnType<typeof tempDir>;
  let sink: FileSink;
  const day = (d: number) => new Date(Date.UTC(2024, 0, d));
  const ids: string[] = [];

  beforeEach(async () => {
    folder = tempDir('rdc-run-listing-');
    sink = new FileSink(folder.dir);
    ids.length = 0;
    // Five daily runs planned in window order, then the first day again as a late backfill.
    for (const [d, plannedHour] of [
      [2, 1],
      [3, 2],
      [4, 3],
      [5, 4],
      [1, 5],
    ] as const) {
      const window = { start: day(d), end: day(d + 1) };
      const runId = makeRunId('retail', 'sales', window);
      ids.push(runId);
      await sink.put(plannedRunKey(parseRunId(runId)), Buffer.from(JSON.stringify({ runId })));
      await writeManifest(sink, {
        v: 1,
        runId,
        service: 'retail',
        endpoint: 'sales',
        window: { start: window.start.toISOString(), end: window.end.toISOString() },
        pageSize: 100,
        total: 0,
        pages: 0,
        plannedAt: new Date(Date.UTC(2024, 1, 1, plannedHour)).toISOString(),
        sink: sink.url,
      });
    }
  });
  afterEach(() => folder.cleanup());

  it('orders every run by plan time: the backfill of the first day, planned last, comes first', async () => {
    const runs = await plannedRuns(sink, 'retail', 'sales');
    expect(runs.map((r) => r.run.runId)).to.deep.equal([ids[4], ids[3], ids[2], ids[1], ids[0]]);
  });

  it('reads at most maxRead manifests: those of the latest windows, and the run recorded as planned last', async () => {
    const bounded = await recentPlannedRuns(sink, 'retail', 'sales', 2);
    expect(bounded.total).to.equal(5);
    expect(bounded.runs.map((r) => r.run.runId)).to.deep.equal([ids[3], ids[2]]);
    const withLast = await recentPlannedRuns(sink, 'retail', 'sales', 2, parseRunId(ids[4]!));
    expect(withLast.runs.map((r) => r.run.runId)).to.deep.equal([ids[4], ids[3], ids[2]]);
  });
});
