import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compactedRunKey, parquetTableFolder, parseRunId, tableFolder } from '@rdc/core';
import type { Figure } from '../report.js';
import { childEnv, lastJsonLine, runNode } from '../support/child.js';
import { CHILDREN } from '../support/paths.js';
import { writeSealedSales } from '../support/sealed-ndjson.js';
import { failedFigure, type ScenarioContext } from './context.js';

const countFiles = (folder: string, suffix: string): number =>
  readdirSync(folder, { recursive: true }).filter((f) => String(f).endsWith(suffix)).length;

interface Done {
  records: number;
  files: number;
  complete?: boolean;
}

/**
 * Compaction: a sealed run of the retail sales endpoint at the seed's scale
 * (6,000 records an hour; the full bench a year, --quick one day) rewritten as
 * Parquet by the connector's compactRun, against DuckDB's `COPY … TO (FORMAT
 * parquet)` over the same NDJSON in the same run. Records per second, peak RSS,
 * and the number of files before and after.
 */
export async function runCompaction(ctx: ScenarioContext): Promise<Figure[]> {
  const { start, end, recordsPerHour } = ctx.sizes.compaction;
  const root = ctx.scratch.folder('compaction');
  const began = Date.now();
  const sealed = writeSealedSales(root, start, end, recordsPerHour);
  const run = parseRunId(sealed.runId);
  ctx.progress(
    `Compaction: ${sealed.records.toLocaleString('en-US')} records in ${sealed.parts.toLocaleString('en-US')} NDJSON parts (${Math.round(sealed.bytes / 1e6)} MB) written in ${((Date.now() - began) / 1000).toFixed(0)} s`,
  );
  const before = `${sealed.parts.toLocaleString('en-US')} NDJSON parts (${Math.round(sealed.bytes / 1e6)} MB)`;
  // A year is 52.56M records: allow 0.1 ms a record on a shared machine.
  const options = {
    env: childEnv({}),
    timeoutMs: ctx.sizes.contenderTimeoutMs + sealed.records / 10,
    scratch: ctx.scratch.dir,
  };
  const figure = (
    id: string,
    contender: string,
    done: Done,
    result: Awaited<ReturnType<typeof runNode>>,
    after: string,
  ): Figure => {
    const seconds = result.wallMs / 1000;
    return {
      scenario: 'Compaction',
      id,
      contender,
      unit: 'records',
      count: done.records,
      rate: done.records / seconds,
      recordsPerSecond: done.records / seconds,
      wallSeconds: seconds,
      ...(result.peakRssMb !== undefined && { peakRssMb: result.peakRssMb }),
      ...(result.cpuMs !== undefined && done.records > 0 && { cpuMsPerUnit: result.cpuMs / done.records }),
      complete: done.records === sealed.records && done.complete !== false,
      note: `files: ${before} → ${after}`,
    };
  };
  const figures: Figure[] = [];
  try {
    const result = await runNode(CHILDREN.compact, [JSON.stringify({ root, runId: sealed.runId })], options);
    const done = lastJsonLine<Done>(result, 'compactRun');
    const bytes = countFiles(join(root, parquetTableFolder(run)), '.parquet');
    const marked = readdirSync(join(root, compactedRunKey(run), '..')).includes('_COMPACTED');
    figures.push(
      figure(
        'compaction.rdc',
        'compactRun (hyparquet-writer, read back and checked)',
        { ...done, complete: done.complete && marked },
        result,
        `${bytes.toLocaleString('en-US')} Parquet files, one per dt= partition, each checked and marked`,
      ),
    );
  } catch (error) {
    figures.push(failedFigure('Compaction', 'compaction.rdc', 'compactRun', error));
  }
  try {
    const out = join(ctx.scratch.folder('duckdb'), 'out');
    const table = join(root, tableFolder(run));
    const result = await runNode(CHILDREN.duckdbCopy, [JSON.stringify({ table, out })], options);
    const done = lastJsonLine<Done>(result, 'DuckDB COPY');
    figures.push(
      figure(
        'compaction.duckdb',
        'DuckDB COPY … TO (FORMAT parquet, PARTITION_BY dt)',
        done,
        result,
        `${done.files.toLocaleString('en-US')} Parquet files (no read-back check, no markers)`,
      ),
    );
    const [ours, theirs] = figures;
    if (ours?.rate !== undefined && theirs?.rate !== undefined) {
      ours.reference = theirs.rate;
      ours.ratio = ours.rate / theirs.rate;
    }
  } catch (error) {
    figures.push(failedFigure('Compaction', 'compaction.duckdb', 'DuckDB COPY', error));
  }
  return figures;
}
