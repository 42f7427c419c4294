import { readFileSync } from 'node:fs';

/** True when `--version` is among the arguments (before a `--` that ends the flags). */
export function versionRequested(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--version');
}

/**
 * What `--version` prints: the app's name and version from its package.json (pass
 * `new URL('../package.json', import.meta.url)` from the app's dist folder), and Node's.
 * @example 'rdc-worker 0.1.0 (Node v20.19.0)'
 */
export function versionText(packageJson: URL): string {
  const { name, version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { name?: unknown; version?: unknown };
  const app = typeof name === 'string' ? name.replace(/^@rdc\//, 'rdc-') : 'rdc';
  return `${app} ${typeof version === 'string' ? version : 'unknown'} (Node ${process.version})`;
}
