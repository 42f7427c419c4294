import type { Draft } from './probe-draft.js';

/** Where the report says the draft goes, and how to run it. */
export interface ReportTarget {
  /** The file the draft was written to; undefined when it went to stdout. */
  out: string | undefined;
}

/** The readable report: what the page showed, the gaps left, and the next steps. */
export function formatReport(draft: Draft, shownUrl: string, status: number, target: ReportTarget): string {
  const lines = [`Probed GET ${shownUrl}: ${status}`, ''];
  let heading = '';
  for (const [h, line] of draft.findings) {
    lines.push(`${h === heading ? '' : h}`.padEnd(12) + line);
    heading = h;
  }
  lines.push('');
  const file = target.out ?? `<config folder>/${draft.service}.json`;
  if (draft.gaps.length === 0) {
    lines.push('Nothing left to fill in: the draft is complete. Check it against the API reference all the same.');
  } else {
    lines.push(
      `Fill in ${draft.gaps.length === 1 ? 'this value' : `these ${draft.gaps.length} values`} (marked "FILL ME" in the draft; the connector refuses the file until they are):`,
    );
    for (const gap of draft.gaps) lines.push(`  - ${gap.key}: ${gap.text.replace(/^FILL ME:\s*/, '')}`);
  }
  lines.push('');
  lines.push(
    target.out ? `Draft written to ${target.out}.` : `Save the draft (stdout) as ${file}, or give --out <file>.`,
  );
  lines.push(
    `Then: npm start -- --config-dir <config folder> --service ${draft.service} --endpoint ${draft.endpoint} --start-date <date> --end-date <date>`,
  );
  return lines.join('\n');
}
