import { ConfigError, errorMessage, isRetryable, type Sink } from '@rdc/contracts';
import {
  BOOKKEEPING_ROOT,
  finalizeRun,
  formatDrift,
  legacyManifestKey,
  legacyStateKey,
  parseRunId,
  readLatestRun,
  readManifest,
  runStatus,
  withDrift,
  type IntegrityReport,
  type RunStatus,
} from '@rdc/core';

/** Says that `what` was written in the layout before the `_rdc/` root, which this version does not read. */
function oldLayout(what: string, key: string, sink: Sink): ConfigError {
  return new ConfigError(
    `${what} was written by an earlier version in the old bucket layout (${sink.url}/${key}), with bookkeeping beside the data. ` +
      `This version keeps it under ${BOOKKEEPING_ROOT} and partitions data by the records' date, so it cannot tell that run's state. ` +
      'Run the window again into a new sink or prefix (--sink), or remove the old objects.',
  );
}

/** Resolves `<runId>` or `<service>/<endpoint> latest` to a run id. */
export async function resolveRunTarget(target: string[], sink: Sink): Promise<string> {
  const [first, second] = target;
  if (first && second === 'latest') {
    const [service, endpoint] = first.split('/');
    if (!service || !endpoint)
      throw new ConfigError(`Expected <service>/<endpoint> latest, got "${target.join(' ')}".`);
    const latest = await readLatestRun(sink, service, endpoint);
    if (!latest) {
      const legacy = legacyStateKey(service, endpoint, 'latest.json');
      if (await sink.exists(legacy)) throw oldLayout(`The latest run of ${service}/${endpoint}`, legacy, sink);
      throw new ConfigError(`No run of ${service}/${endpoint} has been planned in ${sink.url}.`);
    }
    return latest.runId;
  }
  if (first && !second) return parseRunId(first).runId;
  throw new ConfigError('Usage: status <runId> | status <service>/<endpoint> latest [--json] [--sink <url>]');
}

/** A run's status, and why it could not be sealed when it was complete but `_SUCCESS` could not be written. */
export type StatusReport = RunStatus & { sealError?: string };

/**
 * Reads a run's status from the sink. A run found complete is sealed on the way
 * (`_SUCCESS`, watermark), as a worker would have: a run whose last page landed
 * while its completion check failed (a lost list call) is sealed here. With
 * read-only access the status is still reported, with why it was not sealed.
 */
export async function readRunStatus(runId: string, sink: Sink): Promise<StatusReport> {
  const identity = parseRunId(runId);
  const manifest = await readManifest(sink, identity);
  if (!manifest) {
    if (await sink.exists(legacyManifestKey(identity)))
      throw oldLayout(`Run ${runId}`, legacyManifestKey(identity), sink);
    throw new ConfigError(`Run ${runId} has no manifest in ${sink.url}. Check --sink (or RDC_SINK).`);
  }
  try {
    return await withDrift(sink, await finalizeRun(sink, manifest));
  } catch (error) {
    // A permanent write error (read-only folder, no write permission): the status still reads.
    if (isRetryable(error)) throw error;
    const status = await runStatus(sink, manifest);
    if (!status.complete) throw error;
    return { ...(await withDrift(sink, status)), sealError: errorMessage(error) };
  }
}

function ranges(pages: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < pages.length;) {
    let j = i;
    while (j + 1 < pages.length && pages[j + 1] === pages[j]! + 1) j++;
    out.push(i === j ? String(pages[i]) : `${pages[i]}-${pages[j]}`);
    i = j + 1;
  }
  return out.length ? out.join(', ') : '-';
}

/** The integrity lines of a run whose pages all landed but whose records do not add up. */
export function formatIntegrity(report: IntegrityReport): string[] {
  const counts = [
    `${report.records} records landed, ${report.distinct} distinct ids`,
    report.expected !== undefined ? `${report.expected} planned` : undefined,
    report.missing ? `${report.missing} missing` : undefined,
    report.duplicates ? `${report.duplicates} repeated` : undefined,
  ].filter(Boolean);
  const more =
    (report.pagesInvolved ?? 0) > report.pages.length
      ? ` (and ${(report.pagesInvolved ?? 0) - report.pages.length} more)`
      : '';
  return [
    `Integrity    FAILED: ${counts.join(', ')}`,
    ...(report.pages.length ? [`Pages        ${report.pages.join(', ')}${more}`] : []),
    ...(report.strays ?? []).map((key) => `Stray object ${key}`),
    ...report.sample.map((d) => `Repeated id  ${d.id} in ${d.pages.join(' and ')}`),
    ...(report.explanation ? [`Likely cause ${report.explanation}`] : []),
    ...(report.remedy ? [`Remedy       ${report.remedy}`] : []),
  ];
}

export function formatStatus(s: StatusReport): string {
  const state = s.succeeded
    ? 'complete (_SUCCESS written)'
    : s.complete
      ? 'complete'
      : s.integrity
        ? 'NOT SEALED: every page landed, but the records do not add up'
        : 'incomplete';
  return [
    `Run          ${s.runId}`,
    `Window       [${s.window.start}, ${s.window.end})`,
    `State        ${state}`,
    `Expected     ${s.expectedPages} ${s.unit}s${s.unit === 'slice' ? ` (${s.pageFiles} page files)` : ''}`,
    `Landed       ${s.landedPages}`,
    `Dead-letter  ${s.deadLetteredPages.length}  (${ranges(s.deadLetteredPages)})`,
    `Missing      ${s.missingPages.length}  (${ranges(s.missingPages)})`,
    `Drift        ${formatDrift(s.drift)}${s.drift && Object.keys(s.drift).length > 0 ? "  (fields the schema does not declare: add them to the endpoint's schema)" : ''}`,
    ...(s.integrity ? formatIntegrity(s.integrity) : []),
    ...(s.sealError
      ? [
          `Seal         could not seal the run (_SUCCESS, watermark): ${s.sealError} Run status again with write access.`,
        ]
      : []),
  ].join('\n');
}
