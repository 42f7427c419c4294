import { ConfigError, type Sink } from '@rdc/contracts';
import { finalizeRun, parseRunId, readLatestRun, readManifest, type RunStatus } from '@rdc/core';

/** Resolves `<runId>` or `<service>/<endpoint> latest` to a run id. */
export async function resolveRunTarget(target: string[], sink: Sink): Promise<string> {
  const [first, second] = target;
  if (first && second === 'latest') {
    const [service, endpoint] = first.split('/');
    if (!service || !endpoint)
      throw new ConfigError(`Expected <service>/<endpoint> latest, got "${target.join(' ')}".`);
    const latest = await readLatestRun(sink, service, endpoint);
    if (!latest) throw new ConfigError(`No run of ${service}/${endpoint} has been planned in ${sink.url}.`);
    return latest.runId;
  }
  if (first && !second) return parseRunId(first).runId;
  throw new ConfigError('Usage: status <runId> | status <service>/<endpoint> latest [--json] [--sink <url>]');
}

/**
 * Reads a run's status from the sink. A run found complete is sealed on the way
 * (`_SUCCESS`, watermark), as a worker would have: workers check large runs only
 * every so often, so the last pages of a backfill may land unobserved.
 */
export async function readRunStatus(runId: string, sink: Sink): Promise<RunStatus> {
  const identity = parseRunId(runId);
  const manifest = await readManifest(sink, identity);
  if (!manifest) throw new ConfigError(`Run ${runId} has no manifest in ${sink.url}. Check --sink (or RDC_SINK).`);
  return finalizeRun(sink, manifest);
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

export function formatStatus(s: RunStatus): string {
  const state = s.succeeded ? 'complete (_SUCCESS written)' : s.complete ? 'complete' : 'incomplete';
  return [
    `Run          ${s.runId}`,
    `Window       [${s.window.start}, ${s.window.end})`,
    `State        ${state}`,
    `Expected     ${s.expectedPages} ${s.unit}s${s.unit === 'slice' ? ` (${s.pageFiles} page files)` : ''}`,
    `Landed       ${s.landedPages}`,
    `Dead-letter  ${s.deadLetteredPages.length}  (${ranges(s.deadLetteredPages)})`,
    `Missing      ${s.missingPages.length}  (${ranges(s.missingPages)})`,
  ].join('\n');
}
