import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderS1Chart } from './chart.js';
import type { BenchReport } from './report.js';

export interface Written {
  json: string;
  svg: string | undefined;
}

/**
 * Writes `<mode>-<time>.json` and, when S1 ran, `<mode>-<time>-s1.svg`, plus copies
 * named `<mode>-latest.*` so the README can point at the newest figures.
 */
export function writeResults(report: BenchReport, dir: string): Written {
  mkdirSync(dir, { recursive: true });
  const stamp = report.startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const base = `${report.mode}-${stamp}`;
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const jsonPath = join(dir, `${base}.json`);
  writeFileSync(jsonPath, json);
  writeFileSync(join(dir, `${report.mode}-latest.json`), json);
  const s1 = report.figures.filter((f) => f.scenario === 'S1' && f.timeline);
  if (s1.length === 0) return { json: jsonPath, svg: undefined };
  const { s1: size } = report.sizes;
  const subtitle =
    `API ${size.latencyMs} ± ${size.jitterMs} ms, ${size.rateLimit} req/s; ` +
    `${report.machine.cores} cores, Node ${report.machine.node}; ${report.startedAt.slice(0, 16)}Z`;
  const svg = renderS1Chart(report.figures, report.s1Bound, subtitle);
  const svgPath = join(dir, `${base}-s1.svg`);
  writeFileSync(svgPath, svg);
  writeFileSync(join(dir, `${report.mode}-latest-s1.svg`), svg);
  return { json: jsonPath, svg: svgPath };
}
