import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (rel: string): string => readFileSync(join(root, rel), 'utf8');
const page = 'docs/architecture.md';

/**
 * The stages of packages/core/src, top to bottom: a module may import its own
 * stage and the stages below it, and the shared modules at the top of src/
 * (bucket-layout.ts, window.ts, defaults.ts) import no stage at all.
 */
const STAGES = ['delivery', 'compact', 'task', 'plan', 'state'] as const;

/** Every relative import of a core module that goes up the stages: `from -> to`. */
function reversedImports(coreSrc: string): string[] {
  const rank = (module: string): number => {
    const stage = module.includes('/') ? module.slice(0, module.indexOf('/')) : '';
    const index = STAGES.indexOf(stage as (typeof STAGES)[number]);
    return index === -1 ? STAGES.length : index;
  };
  const modules = ['', ...STAGES].flatMap((folder) =>
    readdirSync(join(coreSrc, folder), { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts') && e.name !== 'index.ts')
      .map((e) => (folder ? `${folder}/${e.name}` : e.name)),
  );
  return modules.flatMap((module) => {
    const text = readFileSync(join(coreSrc, module), 'utf8');
    const targets = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) =>
      posix.normalize(posix.join(posix.dirname(module), m[1]!)).replace(/\.js$/, '.ts'),
    );
    return targets.filter((target) => rank(target) < rank(module)).map((target) => `${module} -> ${target}`);
  });
}

/** Every `code` span of the page that names a source path or module (no placeholders such as <runId>). */
function namedPaths(text: string): { paths: string[]; modules: string[] } {
  const spans = [...text.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]!);
  const codeLike = spans.filter((s) => !s.includes('<') && !s.includes('…') && /\.(ts|json|md)$|\/$/.test(s));
  return {
    paths: codeLike.filter((s) => s.includes('/') && /^(apps|packages|test|docs|config)\//.test(s)),
    modules: codeLike.filter((s) => !s.includes('/') || new RegExp(`^(${STAGES.join('|')})/`).test(s)),
  };
}

describe('docs/architecture.md matches the code', () => {
  const text = read(page);

  it('names only paths that exist', () => {
    const { paths } = namedPaths(text);
    expect(paths.length, 'the page names the folders and modules of each stage').to.be.greaterThan(15);
    const missing = paths.filter((p) => !existsSync(join(root, p)));
    expect(missing, `${page} names paths that do not exist`).to.deep.equal([]);
  });

  it('names only core modules that exist, and every core module is named', () => {
    const core = 'packages/core/src';
    const { modules } = namedPaths(text);
    const inCore = (m: string) => existsSync(join(root, core, m));
    const folders = ['', ...STAGES];
    const exists = (m: string) => (m.includes('/') ? inCore(m) : folders.some((f) => inCore(join(f, m))));
    const unknown = modules.filter((m) => m.endsWith('.ts') && !m.startsWith('main') && !exists(m));
    expect(unknown, `${page} names modules that are not in ${core}`).to.deep.equal([]);
    const actual = folders.flatMap((f) =>
      readdirSync(join(root, core, f), { withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith('.ts') && e.name !== 'index.ts')
        .map((e) => e.name),
    );
    const unnamed = actual.filter((name) => !text.includes(name));
    expect(unnamed, `modules of ${core} that ${page} does not place in a stage`).to.deep.equal([]);
  });

  it('states the direction of imports the code keeps', () => {
    expect(text).to.include('A stage imports only the stages below it');
    const order = STAGES.map((stage) => text.indexOf(`\`packages/core/src/${stage}/\``));
    expect(order.every((at) => at !== -1)).to.equal(true);
    expect(
      [...order].sort((a, b) => a - b),
      'the table lists the stages top to bottom',
    ).to.deep.equal(order);
  });

  it('is linked from the README', () => {
    expect(read('README.md')).to.include('docs/architecture.md');
  });
});

describe('the stages of @rdc/core import one way: delivery, compact -> task -> plan -> state -> shared', () => {
  it('every folder of core is a stage with its place in the order', () => {
    const folders = readdirSync(join(root, 'packages/core/src'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect(folders).to.deep.equal([...STAGES].sort());
  });

  it('no module imports a stage above its own', () => {
    const core = join(root, 'packages/core/src');
    expect(reversedImports(core), 'imports against the direction').to.deep.equal([]);
  });
});

describe('one delivery, one pipeline', () => {
  const coreModules = ['', ...STAGES].flatMap((folder) =>
    readdirSync(join(root, 'packages/core/src', folder), { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map((e) => join('packages/core/src', folder, e.name)),
  );

  it('core keeps no module-level cache: what is cached lives in an object its owner holds', () => {
    const caches = coreModules.flatMap((module) =>
      read(module)
        .split('\n')
        .filter((line) => /^(export )?(const|let) \w+(: [^=]+)? = new (Weak)?(Map|Set)\b/.test(line))
        .map((line) => `${module}: ${line.trim()}`),
    );
    expect(coreModules.length).to.be.greaterThan(30);
    expect(caches).to.deep.equal([]);
  });

  it('the worker app takes only the task processor from core: no page handling of its own', () => {
    const dir = join(root, 'apps/worker/src');
    const imported = readdirSync(dir)
      .filter((name) => name.endsWith('.ts'))
      .flatMap((name) =>
        [...read(join('apps/worker/src', name)).matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*'@rdc\/core'/g)]
          .flatMap((m) => m[1]!.split(','))
          .map((n) => n.replace(/\btype\b/, '').trim())
          .filter(Boolean)
          .map((n) => `${name}: ${n}`),
      );
    const allowed = /: (createTaskProcessor|TaskProcessor|Processed)$/;
    expect(imported.length, 'the worker wires the processor').to.be.greaterThan(0);
    expect(imported.filter((n) => !allowed.test(n))).to.deep.equal([]);
  });
});

describe("@rdc/core's public surface", () => {
  /** Source files outside packages/core, by path. */
  function sources(dir: string): string[] {
    return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
      const path = join(dir, e.name);
      if (e.isDirectory()) return e.name === 'dist' || e.name === 'node_modules' ? [] : sources(path);
      return e.name.endsWith('.ts') ? [path] : [];
    });
  }

  it('exports only what other packages, apps or the bench import', () => {
    const exported = [...read('packages/core/src/index.ts').matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)]
      .flatMap((m) => m[1]!.split(','))
      .map((n) => n.replace(/\btype\b/, '').trim())
      .filter(Boolean);
    const users = [...sources('apps'), ...sources('packages'), ...sources('bench/src')].filter(
      (f) => !f.startsWith('packages/core/'),
    );
    const imported = new Set(
      users.flatMap((f) =>
        [...read(f).matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*'@rdc\/core'/g)]
          .flatMap((m) => m[1]!.split(','))
          .map((n) => n.replace(/\btype\b/, '').trim()),
      ),
    );
    expect(exported.length).to.be.greaterThan(10);
    expect(
      exported.filter((name) => !imported.has(name)),
      'exported but used nowhere outside core: test it through its module path instead',
    ).to.deep.equal([]);
  });
});

describe('workspace layout', () => {
  const workspaces = (JSON.parse(read('package.json')) as { workspaces: string[] }).workspaces;
  const manifest = (dir: string) =>
    JSON.parse(read(join(dir, 'package.json'))) as { name: string; dependencies?: Record<string, string> };

  it('no app depends on another app: what apps share lives in packages', () => {
    const apps = new Set(workspaces.filter((w) => w.startsWith('apps/')).map((w) => manifest(w).name));
    expect(apps.size).to.be.greaterThan(2);
    const offending = workspaces
      .filter((w) => w.startsWith('apps/'))
      .flatMap((w) =>
        Object.keys(manifest(w).dependencies ?? {})
          .filter((d) => apps.has(d))
          .map((d) => `${manifest(w).name} -> ${d}`),
      );
    expect(offending).to.deep.equal([]);
  });

  it('no two core module names are anagrams of each other', () => {
    const core = join(root, 'packages/core/src');
    const names = ['', ...STAGES].flatMap((f) =>
      readdirSync(join(core, f))
        .filter((n) => n.endsWith('.ts'))
        .map((n) => n.replace(/\.ts$/, '')),
    );
    const key = (n: string) => [...n.replace(/[^a-z]/g, '')].sort().join('');
    const seen = new Map<string, string>();
    const clashes: string[] = [];
    for (const n of names) {
      const other = seen.get(key(n));
      if (other !== undefined && other !== n) clashes.push(`${other} / ${n}`);
      seen.set(key(n), n);
    }
    expect(clashes).to.deep.equal([]);
  });
});
