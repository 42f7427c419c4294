import { expect } from 'chai';
import type { PutOptions, PutResult, Sink } from '@rdc/contracts';
import { makeRunId, pageRecordKey, pageStem, sliceMarkerKey, slicePageStem } from '@rdc/core/bucket-layout.js';
import { runIdentity, type RunManifest } from '@rdc/core/state/manifest.js';
import { allUnitsLanded } from '@rdc/core/state/block-seal.js';

/** A sink of names only, listed by binary search, that counts list calls and the names each returned. */
class NameSink implements Sink {
  readonly url = 'mem://names';
  private readonly names: string[] = [];
  listed: number[] = [];
  private at(key: string): number {
    let lo = 0;
    let hi = this.names.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.names[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  add(key: string): void {
    const i = this.at(key);
    if (this.names[i] !== key) this.names.splice(i, 0, key);
  }
  putIfAbsent(key: string, _body: Uint8Array, _options?: PutOptions): Promise<PutResult> {
    const had = this.names[this.at(key)] === key;
    this.add(key);
    return Promise.resolve(had ? 'exists' : 'created');
  }
  put(key: string): Promise<void> {
    this.add(key);
    return Promise.resolve();
  }
  get(): Promise<Buffer | undefined> {
    return Promise.resolve(undefined);
  }
  exists(key: string): Promise<boolean> {
    return Promise.resolve(this.names[this.at(key)] === key);
  }
  list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    for (let i = this.at(prefix); i < this.names.length && this.names[i]!.startsWith(prefix); i++)
      out.push(this.names[i]!);
    this.listed.push(out.length);
    return Promise.resolve(out);
  }
  delete(): Promise<void> {
    return Promise.resolve();
  }
}

const window = { start: '2024-01-01T00:00:00.000Z', end: '2024-03-01T00:00:00.000Z' };
function manifestOf(more: Partial<RunManifest> & { pages: number }): RunManifest {
  const identity = { start: new Date(window.start), end: new Date(window.end) };
  return {
    v: 1,
    runId: makeRunId('shop', 'orders', identity),
    service: 'shop',
    endpoint: 'orders',
    window,
    pageSize: 10,
    total: more.pages * 10,
    plannedAt: window.start,
    sink: 'mem://names',
    ...more,
  };
}

/** A seeded shuffle, so a failure replays. */
function shuffled<T>(items: T[], seed = 7): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Markers without summaries: this sink keeps names, not bodies. */
const namesOnly = () => Promise.resolve(Buffer.from('{}\n'));

/** Lands every key in `order`; answers which landings said "all landed", and the list calls of each. */
async function landAll(manifest: RunManifest, keys: string[]) {
  const sink = new NameSink();
  const finals: number[] = [];
  let maxCalls = 0;
  for (const [i, key] of keys.entries()) {
    sink.add(key);
    const before = sink.listed.length;
    if (await allUnitsLanded(sink, manifest, key, namesOnly)) finals.push(i);
    maxCalls = Math.max(maxCalls, sink.listed.length - before);
  }
  return { finals, maxCalls, maxListed: Math.max(...sink.listed), calls: sink.listed.length };
}

describe('hierarchical completion: the last unit of a run is found with a few small lists', function () {
  this.timeout(30_000);

  it('a 25,000-page run (three levels of markers), landed in any order: only the last landing says so', async () => {
    const manifest = manifestOf({ pages: 25_000 });
    const run = runIdentity(manifest);
    const keys = shuffled(Array.from({ length: 25_000 }, (_, i) => pageRecordKey(run, pageStem(i + 1))));
    const { finals, maxCalls, maxListed, calls } = await landAll(manifest, keys);
    expect(finals).to.deep.equal([keys.length - 1]);
    expect(maxCalls, 'list calls of one landing').to.be.at.most(3);
    expect(maxListed, 'names one list call returns').to.be.at.most(100);
    expect(calls / keys.length, 'list calls per page').to.be.below(1.05);
  });

  it('a landing that is not the last never says so, whichever page stays missing', async () => {
    const manifest = manifestOf({ pages: 350 });
    const run = runIdentity(manifest);
    for (const missing of [1, 99, 100, 199, 200, 350]) {
      const keys = Array.from({ length: 350 }, (_, i) => pageRecordKey(run, pageStem(i + 1))).filter(
        (_, i) => i + 1 !== missing,
      );
      expect((await landAll(manifest, keys)).finals, `page ${missing} missing`).to.deep.equal([]);
    }
  });

  it('pages of a window split under an offset cap, slice by slice', async () => {
    const pages = [0, 1, 250, 99, 100, 7];
    const manifest = manifestOf({
      pages: pages.reduce((a, b) => a + b, 0),
      slices: pages.map((n) => ({ start: window.start, end: window.end, total: n * 10, pages: n })),
    });
    const run = runIdentity(manifest);
    const keys = shuffled(
      pages.flatMap((n, s) => Array.from({ length: n }, (_, p) => pageRecordKey(run, slicePageStem(s + 1, p + 1)))),
    );
    const { finals, maxListed } = await landAll(manifest, keys);
    expect(finals).to.deep.equal([keys.length - 1]);
    expect(maxListed).to.be.at.most(100);
  });

  it('slices of a cursor-paginated run', async () => {
    const manifest = manifestOf({ pages: 1_234, plan: 'slices', total: 0 });
    const run = runIdentity(manifest);
    const keys = shuffled(Array.from({ length: 1_234 }, (_, i) => sliceMarkerKey(run, i + 1)));
    const { finals } = await landAll(manifest, keys);
    expect(finals).to.deep.equal([keys.length - 1]);
  });
});
