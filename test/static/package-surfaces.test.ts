import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

/**
 * Each package's index.ts is its public surface: packages, apps and the bench
 * import one another by package name only, and a package exports what others
 * use. Tests may reach a module inside a package by its path
 * (`@rdc/source/retry-after.js`) to test internals.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name === 'dist') return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const folders = (parent: string): string[] =>
  readdirSync(join(root, parent)).filter((name) => statSync(join(root, parent, name)).isDirectory());
const packages = folders('packages');
const packageName = (folder: string): string =>
  (JSON.parse(readFileSync(join(root, 'packages', folder, 'package.json'), 'utf8')) as { name: string }).name;

/** `from '@rdc/x/...'` and `import('@rdc/x/...')`: a module path inside another package. */
const deepImport = /(?:from\s+|import\()'(@rdc\/[a-z-]+\/[^']+)'/g;

/**
 * The values an index.ts exports one by one (`export * from` lines name none).
 * Types are left out: an option type goes with the function that takes it.
 */
function exportedValues(text: string): string[] {
  return [...text.matchAll(/export\s+\{([^}]*)\}/g)].flatMap((m) =>
    m[1]!
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '' && !item.startsWith('type '))
      .map((item) => item.split(/\s+as\s+/).pop()!),
  );
}

describe('package surfaces', () => {
  const production = [
    ...packages.map((p) => `packages/${p}/src`),
    ...folders('apps').map((a) => `apps/${a}/src`),
    'bench/src',
  ].flatMap((dir) => tsFiles(join(root, dir)));

  it('packages, apps and the bench import other packages by name, never a module inside one', () => {
    const offending = production.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(deepImport)].map((m) => `${relative(root, file)}: ${m[1]}`),
    );
    expect(production.length).to.be.greaterThan(100);
    expect(offending, 'import these from the package index (add the name there if others need it)').to.deep.equal([]);
  });

  it('every index.ts opens with a comment saying what its package is for', () => {
    const bare = packages.filter(
      (p) => !readFileSync(join(root, 'packages', p, 'src/index.ts'), 'utf8').startsWith(`// ${packageName(p)}: `),
    );
    expect(bare).to.deep.equal([]);
  });

  for (const folder of packages) {
    it(`${packageName(folder)} exports only values another package, app, the bench or a test uses`, () => {
      const name = packageName(folder);
      const index = readFileSync(join(root, 'packages', folder, 'src/index.ts'), 'utf8');
      const users = [...production, ...tsFiles(join(root, 'test'))]
        .filter((file) => !file.startsWith(join(root, 'packages', folder) + '/'))
        .map((file) => readFileSync(file, 'utf8'))
        .filter((text) => text.includes(`'${name}'`));
      const unused = exportedValues(index).filter(
        (exported) => !users.some((text) => new RegExp(`\\b${exported}\\b`).test(text)),
      );
      expect(unused, `${name} exports names nobody imports: drop them from its index.ts`).to.deep.equal([]);
    });
  }
});
