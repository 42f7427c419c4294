/**
 * Preloaded into every measured child (`node --import <this> app.js`): at exit it
 * writes the process's peak resident set size and the CPU time it used (user and
 * system, every thread) to the file named by BENCH_RSS_FILE. `maxRSS` is the
 * kernel's high-water mark, so nothing between samples is missed.
 */
import { writeFileSync } from 'node:fs';

const target = process.env.BENCH_RSS_FILE;
if (target) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
    writeFileSync(target, `${JSON.stringify({ maxRssKb: usage.maxRSS, cpuMs })}\n`);
  });
}
