/**
 * Compaction: the connector's own compactRun over a sealed run in a local folder
 * (every dt= partition, one after the other, then the run marker).
 *
 * argv[2]: JSON { root, runId }. Prints one JSON line: records, files, partitions.
 */
import { loadServices, silentLog } from '@rdc/contracts';
import { compactRun, parquetOptions, parseRunId } from '@rdc/core';
import { FileSink } from '@rdc/sinks';

const { root, runId } = JSON.parse(process.argv[2] ?? '{}') as { root: string; runId: string };
const endpoint = loadServices().services.get('retail')!.endpoints.sales!;
const run = parseRunId(runId);
const result = await compactRun(
  { sink: new FileSink(root), log: silentLog },
  { run, window: run.window, idField: endpoint.idField, schema: endpoint.schema },
  parquetOptions(endpoint),
);
const files = result.marker?.files.reduce((n, p) => n + p.keys.length, 0) ?? 0;
process.stdout.write(
  `${JSON.stringify({ complete: result.complete, records: result.marker?.records ?? 0, files, partitions: result.marker?.partitions ?? 0 })}\n`,
);
