import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Env that makes a child process write its peak RSS (the kernel's high-water
 * mark) to a file in `folder` at exit; `peakMb()` reads it back.
 */
export function measuringRss(folder: string): { env: Record<string, string>; peakMb(): number } {
  const file = join(folder, 'peak-rss-kb.txt');
  const hook = join(folder, 'rss-hook.cjs');
  writeFileSync(
    hook,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(file)}, String(process.resourceUsage().maxRSS)));\n`,
  );
  return {
    env: { NODE_OPTIONS: `--require ${hook}` },
    peakMb: () => Number(readFileSync(file, 'utf8')) / 1024,
  };
}
