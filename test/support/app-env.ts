import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What an app reads, derived from its code: the env variables its workspace and
 * the workspaces it depends on read. Deployment files (Terraform, the deploy
 * guide) are checked against it, so a renamed variable fails a test.
 */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const readRepo = (rel: string): string => readFileSync(join(repoRoot, rel), 'utf8');
const readJson = (rel: string): Record<string, unknown> => JSON.parse(readRepo(rel)) as Record<string, unknown>;

const workspaceDirs = readJson('package.json').workspaces as string[];
const dirOf = new Map(workspaceDirs.map((dir) => [readJson(`${dir}/package.json`).name as string, dir]));

/** The app's workspace and every workspace it depends on, transitively. */
export function workspaceClosure(dir: string, seen = new Set<string>()): Set<string> {
  seen.add(dir);
  const deps = Object.keys((readJson(`${dir}/package.json`).dependencies as Record<string, string> | undefined) ?? {});
  for (const dep of deps) {
    const d = dirOf.get(dep);
    if (d && !seen.has(d)) workspaceClosure(d, seen);
  }
  return seen;
}

/** The TypeScript files under a folder of the repository. */
export function sourceFiles(dir: string): string[] {
  const abs = join(repoRoot, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs).flatMap((f) =>
    statSync(join(abs, f)).isDirectory() ? sourceFiles(`${dir}/${f}`) : f.endsWith('.ts') ? [`${dir}/${f}`] : [],
  );
}

/** The source text of the workspaces, file by file. */
export function sourcesOf(dirs: Iterable<string>): string[] {
  return [...dirs].flatMap((dir) => sourceFiles(`${dir}/src`)).map(readRepo);
}

/**
 * Every env variable the code of these workspaces names: `env.NAME`,
 * `env['NAME']`, and the variables of the flag/env readers
 * (`inputs.int('concurrency', 'RDC_CONCURRENCY', …)`).
 */
export function envNamesRead(dirs: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const text of sourcesOf(dirs)) {
    for (const m of text.matchAll(/\benv(?:\.([A-Z][A-Z0-9_]*)\b|\[\s*['"`]([A-Z][A-Z0-9_]*)['"`]\s*\])/g))
      names.add(m[1] ?? m[2]!);
    for (const call of text.matchAll(/\binputs\.\w+\(([^)]*)\)/g))
      for (const m of call[1]!.matchAll(/['"`]([A-Z][A-Z0-9_]*)['"`]/g)) names.add(m[1]!);
  }
  return names;
}

/** The env variables an app reads: `apps/worker` → every name its code and its dependencies read. */
export const appEnv = (app: string): Set<string> => envNamesRead(workspaceClosure(`apps/${app}`));
