/**
 * Preloaded with `node --import` into a CLI under test: at exit it writes the cloud
 * SDK packages the process loaded (CommonJS, the only form the code loads them in)
 * to the file named by LOADED_SDKS_FILE, as a JSON array.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const SDKS = /node_modules\/(@google-cloud\/[^/]+|google-auth-library)\//;
const out = process.env.LOADED_SDKS_FILE;

process.on('exit', () => {
  if (!out) return;
  const loaded = new Set<string>();
  for (const file of Object.keys(createRequire(import.meta.url).cache)) {
    const match = SDKS.exec(file);
    if (match?.[1]) loaded.add(match[1]);
  }
  writeFileSync(out, JSON.stringify([...loaded].sort()));
});
