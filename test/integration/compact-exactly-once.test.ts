import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import type { PutResult, Sink } from '@rdc/contracts';
import { compactedRunKey, compactRun, parquetTableFolder } from '@rdc/core';
import { compactedPartitionKey, compactedPrefix, parquetKey } from '@rdc/core/bucket-layout.js';
import { type ParquetFileOptions } from '@rdc/core/compact/parquet-file.js';
import { FileSink } from '@rdc/sinks';
import { TableReader } from '../support/duckdb.js';
import { tempDir } from '../support/hooks.js';
import { ORDER_SCHEMA, writeSealedRun, type SealedRun } from '../support/sealed-run.js';

const WINDOW = { start: new Date('2024-07-01T00:00:00Z'), end: new Date('2024-07-03T00:00:00Z') };
const OPTIONS: ParquetFileOptions = { rowGroupRows: 100, maxFileBytes: 64 << 20, codec: 'snappy' };

class Crash extends Error {}

type When = 'before' | 'during' | 'after';

/** A sink that dies once, at one write: before it, half-way through it (a temporary file left), or just after it. */
class CrashingSink implements Sink {
  readonly url: string;
  crashed = false;
  constructor(
    private readonly inner: FileSink,
    private readonly at: RegExp,
    private readonly when: When,
  ) {
    this.url = inner.url;
  }
  async putIfAbsent(key: string, body: Uint8Array): Promise<PutResult> {
    if (this.crashed || !this.at.test(key)) return this.inner.putIfAbsent(key, body);
    this.crashed = true;
    if (this.when === 'before') throw new Crash(`killed before writing ${key}`);
    if (this.when === 'during') {
      // What a killed writer leaves: a hidden temporary file with part of the bytes, never the object.
      const folder = dirname(join(this.inner.root, key));
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, '.rdc-killed.tmp'), body.subarray(0, body.length >> 1));
      throw new Crash(`killed while writing ${key}`);
    }
    await this.inner.putIfAbsent(key, body);
    throw new Crash(`killed after writing ${key}`);
  }
  put(key: string, body: Uint8Array): Promise<void> {
    return this.inner.put(key, body);
  }
  get(key: string): Promise<Buffer | undefined> {
    return this.inner.get(key);
  }
  exists(key: string): Promise<boolean> {
    return this.inner.exists(key);
  }
  list(prefix: string): Promise<string[]> {
    return this.inner.list(prefix);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
}

const target = (sealed: SealedRun) => ({ run: sealed.run, window: WINDOW, idField: 'id', schema: ORDER_SCHEMA });

async function expectExactlyOnce(dir: string, sink: FileSink, sealed: SealedRun): Promise<void> {
  const reader = await TableReader.open(join(dir, parquetTableFolder(sealed.run)), 'parquet');
  try {
    const [counts] = await reader.rows('SELECT count(*) AS n, count(DISTINCT id) AS d FROM {table}');
    expect(Number(counts!.n), 'rows').to.equal(sealed.ids.length);
    expect(Number(counts!.d), 'distinct ids').to.equal(sealed.ids.length);
    expect((await reader.ids()).sort()).to.deep.equal([...sealed.ids].sort());
  } finally {
    reader.close();
  }
  const markers = await sink.list(compactedPrefix(sealed.run));
  expect(markers, 'one marker per partition').to.have.length(2);
  expect(await sink.list(compactedRunKey(sealed.run)), 'one run marker').to.have.length(1);
}

describe('compaction exactly once: crashes, reruns and tampered partitions', function () {
  this.timeout(60_000);

  const crashPoints: [string, RegExp, When][] = [
    ['before a Parquet file is written', /\.parquet$/, 'before'],
    ['while a Parquet file is written', /\.parquet$/, 'during'],
    ['after a Parquet file is written, before its marker', /\.parquet$/, 'after'],
    ['after a partition marker, before the next partition', /compacted\/dt=/, 'after'],
    ['after the last partition marker, before the run marker', /compacted\/dt=2024-07-02/, 'after'],
  ];
  for (const [name, at, when] of crashPoints) {
    it(`killed ${name}, then run again: every record once, one marker each`, async () => {
      const { dir, cleanup } = tempDir();
      try {
        const sink = new FileSink(dir);
        const sealed = await writeSealedRun(sink, {
          window: WINDOW,
          count: 400,
          stepMs: 7 * 60_000,
          pageSize: 30,
          gzip: false,
        });
        const crashing = new CrashingSink(sink, at, when);
        const error = await compactRun({ sink: crashing }, target(sealed), OPTIONS).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(Crash);
        expect(await sink.exists(compactedRunKey(sealed.run))).to.equal(false);

        const again = await compactRun({ sink }, target(sealed), OPTIONS);
        expect(again.complete).to.equal(true);
        await expectExactlyOnce(dir, sink, sealed);
        // A third run finds it done and writes nothing.
        const third = await compactRun({ sink }, target(sealed), OPTIONS);
        expect(third.markedNow).to.equal(false);
      } finally {
        cleanup();
      }
    });
  }

  it('two compactions of the same run at once write each file once and agree', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const sink = new FileSink(dir);
      const sealed = await writeSealedRun(sink, {
        window: WINDOW,
        count: 300,
        stepMs: 9 * 60_000,
        pageSize: 30,
        gzip: true,
      });
      const [a, b] = await Promise.all([
        compactRun({ sink }, target(sealed), OPTIONS),
        compactRun({ sink }, target(sealed), OPTIONS),
      ]);
      expect(a.complete && b.complete).to.equal(true);
      expect([a.markedNow, b.markedNow].filter(Boolean)).to.have.length(1);
      await expectExactlyOnce(dir, sink, sealed);
    } finally {
      cleanup();
    }
  });

  /** Compacts once with a crash just after the first Parquet file of 2024-07-01, so it is stored but unmarked. */
  async function unmarkedFile(sink: FileSink, sealed: SealedRun): Promise<string> {
    const key = parquetKey(sealed.run, '2024-07-01', 1);
    const crashing = new CrashingSink(sink, /dt=2024-07-01\/.*\.parquet$/, 'after');
    await compactRun({ sink: crashing }, target(sealed), OPTIONS).catch(() => undefined);
    expect(await sink.exists(key)).to.equal(true);
    return key;
  }

  async function expectRefused(sink: FileSink, sealed: SealedRun, pattern: RegExp): Promise<void> {
    const error = await compactRun({ sink }, target(sealed), OPTIONS).catch((e: unknown) => e as Error);
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.match(/refused/);
    expect((error as Error).message).to.match(pattern);
    expect((error as { retryable?: boolean }).retryable).to.equal(false);
    expect(await sink.exists(compactedPartitionKey(sealed.run, '2024-07-01')), 'partition marker').to.equal(false);
    expect(await sink.exists(compactedRunKey(sealed.run)), 'run marker').to.equal(false);
  }

  it('refuses a stored Parquet file that does not hold its NDJSON records (one row dropped), and marks nothing', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const sink = new FileSink(dir);
      const sealed = await writeSealedRun(sink, {
        window: WINDOW,
        count: 200,
        stepMs: 11 * 60_000,
        pageSize: 20,
        gzip: false,
      });
      const key = await unmarkedFile(sink, sealed);
      // Tamper: the same partition encoded without its first NDJSON record, stored under the file's name.
      const other = new FileSink(join(dir, 'tampered'));
      const first = sealed.parts.find((p) => p.includes('dt=2024-07-01'))!;
      const lines = (await sink.get(first))!.toString('utf8').split('\n');
      await writeSealedRun(other, { window: WINDOW, count: 200, stepMs: 11 * 60_000, pageSize: 20, gzip: false });
      await other.delete(first);
      await other.putIfAbsent(first, Buffer.from(lines.slice(1).join('\n')));
      await compactRun({ sink: other }, target(sealed), OPTIONS).catch(() => undefined);
      await sink.delete(key);
      await sink.putIfAbsent(key, (await other.get(key))!);
      await expectRefused(sink, sealed, /is not the file its \d+ NDJSON parts encode to/);
    } finally {
      cleanup();
    }
  });

  it('refuses when an NDJSON part changed after its Parquet file was written', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const sink = new FileSink(dir);
      const sealed = await writeSealedRun(sink, {
        window: WINDOW,
        count: 200,
        stepMs: 11 * 60_000,
        pageSize: 20,
        gzip: false,
      });
      await unmarkedFile(sink, sealed);
      const part = sealed.parts.find((p) => p.includes('dt=2024-07-01'))!;
      const text = (await sink.get(part))!.toString('utf8');
      await sink.delete(part);
      await sink.putIfAbsent(part, Buffer.from(text.split('\n').slice(1).join('\n')));
      await expectRefused(sink, sealed, /left by an earlier attempt/);
    } finally {
      cleanup();
    }
  });

  it('refuses a partition whose Parquet folder holds a file it did not write', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const sink = new FileSink(dir);
      const sealed = await writeSealedRun(sink, {
        window: WINDOW,
        count: 200,
        stepMs: 11 * 60_000,
        pageSize: 20,
        gzip: false,
      });
      const key = await unmarkedFile(sink, sealed);
      await sink.putIfAbsent(parquetKey(sealed.run, '2024-07-01', 2), (await sink.get(key))!);
      await expectRefused(sink, sealed, /readers would count their rows too/);
    } finally {
      cleanup();
    }
  });

  it('refuses the run marker when the partitions do not add up to the sealed records (an NDJSON part removed)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const sink = new FileSink(dir);
      const sealed = await writeSealedRun(sink, {
        window: WINDOW,
        count: 200,
        stepMs: 11 * 60_000,
        pageSize: 20,
        gzip: false,
      });
      await sink.delete(sealed.parts[0]!);
      const error = await compactRun({ sink }, target(sealed), OPTIONS).catch((e: unknown) => e as Error);
      expect((error as Error).message).to.match(
        /refused: its 2 partitions hold 180 records in Parquet, but the run was sealed with 200/,
      );
      expect(await sink.exists(compactedRunKey(sealed.run))).to.equal(false);
    } finally {
      cleanup();
    }
  });
});
