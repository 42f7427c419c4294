import type { StackSummary } from './run-stack.js';

/** The closing lines of `npm run stack`, for people. */
export function formatSummary(s: StackSummary): string {
  const lines = [s.ok ? 'Stack run done' : `Stack run FAILED: ${s.error ?? 'unknown error'}`];
  if (s.runId) lines.push(`  run        ${s.runId}`);
  if (s.pages !== undefined) {
    const dead = s.deadLettered?.length ?? 0;
    lines.push(`  pages      ${s.landed}/${s.pages} landed, ${dead} dead-lettered, ${s.missing ?? 0} missing`);
  }
  lines.push(`  workers    ${s.workers} (${s.mode})`);
  lines.push(`  sink       ${s.sink}`);
  lines.push(`  emulator   ${s.emulator.host ?? '-'}${s.emulator.started ? ' (started and stopped)' : ''}`);
  lines.push(`  time       ${s.seconds} s; every process it started is stopped`);
  return lines.join('\n');
}
