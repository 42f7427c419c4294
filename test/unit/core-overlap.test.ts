import { expect } from 'chai';
import { ConfigError, loadServices, silentLog } from '@rdc/contracts';
import { finalizeRun, planRun } from '@rdc/core';
import { OverlapError } from '@rdc/core/plan/overlap.js';
import { type PlanRequest } from '@rdc/core/plan/plan-run.js';
import { handlePageTask } from '@rdc/core/task/handle-page.js';
import { FakeSource, makeRecords, MemorySink, RecordingPublisher } from '../support/fakes.js';
import { fixtureConfigDir } from './core-handler.test.js';

const HOUR = 3_600_000;
const at = (iso: string): Date => new Date(iso);
const base: PlanRequest = {
  service: 'shop',
  endpoint: 'orders',
  start: at('2024-07-01T00:00:00Z'),
  end: at('2024-07-01T12:00:00Z'),
  now: at('2024-07-03T00:00:00Z'),
  endGranularityMs: HOUR,
};

function setup() {
  const catalog = loadServices(fixtureConfigDir);
  const source = new FakeSource(makeRecords(60, Date.UTC(2024, 6, 1), 30 * 60_000));
  const sink = new MemorySink();
  const publisher = new RecordingPublisher();
  return { catalog, source, sink, publisher, log: silentLog };
}

describe('overlapping windows', () => {
  it('refuses a window that overlaps a planned run, naming the run, and plans nothing', async () => {
    const deps = setup();
    const first = await planRun(base, deps);
    const published = deps.publisher.tasks.length;
    const error = await planRun({ ...base, start: at('2024-07-01T06:00:00Z'), end: at('2024-07-02T00:00:00Z') }, deps)
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(OverlapError);
    expect(error).to.be.instanceOf(ConfigError); // exit 2
    expect((error as Error).message)
      .to.include(first.manifest.runId)
      .and.include('--allow-overlap');
    expect(deps.publisher.tasks).to.have.length(published);
    const manifests = [...deps.sink.objects.keys()].filter((k) => k.endsWith('/manifest.json'));
    expect(manifests).to.have.length(1);
  });

  it('refuses a window inside a planned one, and one that covers it', async () => {
    const deps = setup();
    await planRun(base, deps);
    for (const [start, end] of [
      ['2024-07-01T02:00:00Z', '2024-07-01T03:00:00Z'],
      ['2024-06-30T00:00:00Z', '2024-07-02T00:00:00Z'],
    ] as const) {
      const error = await planRun({ ...base, start: at(start), end: at(end) }, deps).catch((e: unknown) => e);
      expect(error, `${start}..${end}`).to.be.instanceOf(OverlapError);
    }
  });

  it('plans adjacent windows, the same window again, and an overlap with --allow-overlap', async () => {
    const deps = setup();
    const first = await planRun(base, deps);
    const again = await planRun(base, deps);
    expect(again.origin).to.equal('existing');
    expect(again.manifest.runId).to.equal(first.manifest.runId);
    const next = await planRun({ ...base, start: base.end!, end: at('2024-07-02T00:00:00Z') }, deps);
    expect(next.origin).to.equal('new');
    const forced = await planRun(
      { ...base, start: at('2024-07-01T06:00:00Z'), end: at('2024-07-01T18:00:00Z'), allowOverlap: true },
      deps,
    );
    expect(forced.origin).to.equal('new');
  });

  it('allows the --lookback margin of an incremental run, and no more', async () => {
    const deps = setup();
    const first = await planRun(base, deps);
    for (const task of deps.publisher.tasks) {
      if (task.kind === 'page') await handlePageTask(task, { ...deps, sourceFor: () => deps.source });
    }
    expect((await finalizeRun(deps.sink, first.manifest)).succeeded).to.equal(true);
    const incremental = { ...base, start: undefined, end: at('2024-07-02T00:00:00Z'), lookbackMs: 2 * HOUR };
    delete incremental.start;
    const second = await planRun(incremental, deps);
    expect(second.manifest.window.start).to.equal('2024-07-01T10:00:00.000Z');
    // A plan reaching further back than its lookback overlaps beyond the margin.
    const error = await planRun(
      { ...base, start: at('2024-07-01T09:00:00Z'), end: at('2024-07-02T06:00:00Z') },
      deps,
    ).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(OverlapError);
    expect((error as Error).message)
      .to.include(first.manifest.runId)
      .and.include(second.manifest.runId);
  });

  it('two planners racing on overlapping windows never both plan, and a retry then plans', async () => {
    for (let round = 0; round < 5; round++) {
      const deps = setup();
      const other = { ...base, start: at('2024-07-01T06:00:00Z'), end: at('2024-07-01T18:00:00Z') };
      // A slower sink for one side shifts the interleaving from round to round.
      const slow = { ...deps, sink: delayed(deps.sink, round) };
      const results = await Promise.allSettled([planRun(base, deps), planRun(other, slow)]);
      const planned = results.filter((r) => r.status === 'fulfilled');
      expect(planned.length, `round ${round}`).to.be.at.most(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).to.be.instanceOf(OverlapError);
      if (planned.length === 0) expect((await planRun(base, deps)).origin).to.equal('new');
    }
  });
});

/** The same sink, each call resolved after `ticks` extra turns of the event loop. */
function delayed(sink: MemorySink, ticks: number): MemorySink {
  const wait = async (): Promise<void> => {
    for (let i = 0; i < ticks; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  return new Proxy(sink, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await wait();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
