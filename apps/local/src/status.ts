import { ConfigError, type Sink } from '@rdc/contracts';
import { parseRunId, readManifest } from '@rdc/core';
import { sealedStatus, type StatusReport } from './status/run-report.js';
import { formatRun } from './status/render-text.js';

// `status`: the command is status/command.ts; its arguments status/args.ts.
export { statusCommand } from './status/command.js';
export { parseStatusArgs, STATUS_HELP, type StatusArgs } from './status/args.js';
export type { StatusReport } from './status/run-report.js';

/** One run's status by its id, sealed on the way when complete (see sealedStatus). */
export async function readRunStatus(runId: string, sink: Sink): Promise<StatusReport> {
  const manifest = await readManifest(sink, parseRunId(runId));
  if (!manifest) throw new ConfigError(`Run ${runId} has no manifest in ${sink.url}. Check --sink (or RDC_SINK).`);
  return sealedStatus(sink, manifest);
}

/** A run's status as the lines `status <runId>` prints. */
export const formatStatus = (status: StatusReport): string => formatRun(status);
