#!/usr/bin/env node
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { measureOps } from './measure.js';
import { costModel, formatCostTable, type BenchResults } from './model.js';

/**
 * `npm run cost [-- --write]`: prints the deploy guide's cost table, computed
 * from bench/results/full-latest.json and storage operations counted on the
 * real code paths. --write puts it into docs/deploy.md between its markers.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
export const GUIDE = 'docs/deploy.md';
export const START_MARKER = '<!-- cost-model:start (npm run cost -- --write) -->';
export const END_MARKER = '<!-- cost-model:end -->';

async function main(): Promise<number> {
  const results = JSON.parse(readFileSync(`${root}bench/results/full-latest.json`, 'utf8')) as BenchResults;
  const table = formatCostTable(costModel(results, await measureOps()));
  if (!process.argv.includes('--write')) {
    process.stdout.write(`${table}\n`);
    return 0;
  }
  const path = `${root}${GUIDE}`;
  const guide = readFileSync(path, 'utf8');
  const start = guide.indexOf(START_MARKER);
  const end = guide.indexOf(END_MARKER);
  if (start === -1 || end < start) {
    process.stderr.write(`error: ${GUIDE} has no ${START_MARKER} … ${END_MARKER} block to fill.\n`);
    return 2;
  }
  const text = `${guide.slice(0, start + START_MARKER.length)}\n\n${table}\n\n${guide.slice(end)}`;
  // Formatted as the repository's prettier config wants it, so lint stays green.
  writeFileSync(path, await format(text, { ...(await resolveConfig(path)), filepath: path }));
  process.stdout.write(`Wrote the cost table into ${GUIDE}.\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
