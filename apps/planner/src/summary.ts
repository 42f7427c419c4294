import type { PlanResult } from '@rdc/core';
import { runFolder, tableFolder } from '@rdc/core';

export function planSummary(result: PlanResult, sinkUrl: string): Record<string, unknown> {
  const m = result.manifest;
  return {
    runId: m.runId,
    service: m.service,
    endpoint: m.endpoint,
    window: m.window,
    total: m.total,
    pageSize: m.pageSize,
    pages: m.pages,
    origin: result.origin,
    alreadyLanded: result.landed,
    published: result.dryRun ? 0 : result.published,
    dryRun: result.dryRun,
    /** The table folder: data only, partitioned by dt= and run=. */
    location: `${sinkUrl}/${tableFolder(m)}`,
    /** The run's bookkeeping: manifest, schema, page records, _SUCCESS. */
    runState: `${sinkUrl}/${runFolder(m)}`,
  };
}

export function formatPlan(result: PlanResult, sinkUrl: string): string {
  const s = planSummary(result, sinkUrl);
  const m = result.manifest;
  const existing = result.origin === 'existing' ? ` (existing run: ${result.landed} already landed)` : '';
  const slices = m.plan === 'slices';
  const lines = [
    `${result.dryRun ? 'Plan (dry run, nothing published)' : 'Planned'} ${m.runId}`,
    `  window     [${m.window.start}, ${m.window.end})`,
    slices
      ? `  slices     ${m.pages} time slices (cursor pagination: pages are counted as each slice is walked)${existing}`
      : `  records    ${m.total.toLocaleString('en-US')}`,
  ];
  if (!slices)
    lines.push(
      `  pages      ${m.pages} of ${m.pageSize}${m.slices ? ` in ${m.slices.length} time slices` : ''}${existing}`,
    );
  if (!result.dryRun) lines.push(`  published  ${result.published} ${slices ? 'slice' : 'page'} task(s)`);
  lines.push(`  location   ${String(s.location)}`, `  run state  ${String(s.runState)}`);
  return lines.join('\n');
}
