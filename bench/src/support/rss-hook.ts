/**
 * Preloaded into every measured child (`node --import <this> app.js`): at exit it
 * writes the process's peak resident set size to the file named by BENCH_RSS_FILE.
 * `maxRSS` is the kernel's high-water mark, so nothing between samples is missed.
 */
import { writeFileSync } from 'node:fs';

const target = process.env.BENCH_RSS_FILE;
if (target) {
  process.on('exit', () => {
    writeFileSync(target, `${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS })}\n`);
  });
}
