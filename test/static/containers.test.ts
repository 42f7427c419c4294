import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { loadServices } from '@rdc/contracts';
import { OPTION_FIELDS } from '@rdc/mock-server/options.js';
import { baseUrlVariable } from '@rdc/source';
import { parse } from 'yaml';

/**
 * Static checks of Dockerfile.planner, Dockerfile.worker, .dockerignore and
 * docker-compose.yml against the repository: no Docker engine needed.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (rel: string): string => readFileSync(join(root, rel), 'utf8');
const readJson = (rel: string): Record<string, unknown> => JSON.parse(read(rel)) as Record<string, unknown>;
const DOCKERFILES = ['Dockerfile.planner', 'Dockerfile.worker'];

// ---- Dockerfile parsing -------------------------------------------------------------

interface Instruction {
  op: string;
  args: string;
  line: number;
}
interface Stage {
  name: string;
  base: string;
  body: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  let buffer = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line.startsWith('#') || (buffer === '' && line === '')) return;
    if (buffer === '') start = i + 1;
    if (line.endsWith('\\')) return void (buffer += `${line.slice(0, -1)} `);
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/s.exec(buffer + line) ?? [];
    buffer = '';
    const ins = { op: op.toUpperCase(), args: args.trim(), line: start };
    if (ins.op === 'ARG' && stages.length === 0) {
      const [k = '', v = ''] = ins.args.split('=');
      globalArgs.set(k, v);
    } else if (ins.op === 'FROM') {
      const expanded = ins.args.replace(
        /\$\{(\w+)\}|\$(\w+)/g,
        (_, a?: string, b?: string) => globalArgs.get(a ?? b ?? '') ?? '',
      );
      const [base = '', , name] = expanded.split(/\s+/).filter((t) => !t.startsWith('--'));
      stages.push({ name: name ?? String(stages.length), base, body: [] });
    } else {
      stages.at(-1)?.body.push(ins);
    }
  });
  return stages;
}

const words = (args: string): string[] => (args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/));
function copies(stage: Stage): { from?: string; sources: string[]; dest: string }[] {
  return stage.body
    .filter((i) => i.op === 'COPY')
    .map((i) => {
      const tokens = words(i.args);
      const from = tokens.find((t) => t.startsWith('--from='))?.slice('--from='.length);
      const paths = tokens.filter((t) => !t.startsWith('--'));
      return { ...(from ? { from } : {}), sources: paths.slice(0, -1), dest: paths.at(-1) ?? '' };
    });
}

interface NpmCall {
  command: string;
  args: string[];
  workspaces: string[];
  flags: string[];
}
/** The npm invocations of a RUN line (split on &&, ||, ; and |). */
function npmCalls(run: string): NpmCall[] {
  return run.split(/&&|\|\||;|\|/).flatMap((part) => {
    const t = part
      .trim()
      .split(/\s+/)
      .map((w) => w.replace(/^['"]|['"]$/g, ''));
    if (t[0] !== 'npm') return [];
    const call: NpmCall = { command: '', args: [], workspaces: [], flags: [] };
    for (let i = 1; i < t.length; i++) {
      const w = t[i]!;
      if (w === '-w' || w === '--workspace') call.workspaces.push(t[++i] ?? '');
      else if (w.startsWith('--workspace=')) call.workspaces.push(w.slice('--workspace='.length));
      else if (w.startsWith('-')) call.flags.push(w);
      else if (!call.command) call.command = w;
      else call.args.push(w);
    }
    return [call];
  });
}

const stageRuns = (stages: Stage[], stage: Stage): string[] => {
  const parent = stages.find((s) => s.name === stage.base);
  return [...(parent ? stageRuns(stages, parent) : []), ...stage.body.filter((i) => i.op === 'RUN').map((i) => i.args)];
};
/** Stages no other stage builds on or copies from: the images a build can produce. */
const leafStages = (stages: Stage[]): Stage[] =>
  stages.filter((s) => !stages.some((o) => o.base === s.name || copies(o).some((c) => c.from === s.name)));
function startCommand(stage: Stage): string[] {
  const exec = (op: string) => {
    const i = stage.body.filter((x) => x.op === op).at(-1);
    return i ? (i.args.startsWith('[') ? words(i.args) : ['/bin/sh', '-c', i.args]) : [];
  };
  return [...exec('ENTRYPOINT'), ...exec('CMD')];
}

// ---- The workspaces ------------------------------------------------------------------

const rootPkg = readJson('package.json');
const workspaceDirs = rootPkg.workspaces as string[];
const dirOf = new Map(workspaceDirs.map((dir) => [readJson(`${dir}/package.json`).name as string, dir]));

/** The app's workspace and every workspace it depends on, transitively. */
function closure(dir: string, seen = new Set<string>()): Set<string> {
  seen.add(dir);
  const deps = Object.keys((readJson(`${dir}/package.json`).dependencies as Record<string, string> | undefined) ?? {});
  for (const dep of deps) {
    const d = dirOf.get(dep);
    if (d && !seen.has(d)) closure(d, seen);
  }
  return seen;
}

function sourceFiles(dir: string): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs).flatMap((f) =>
    statSync(join(abs, f)).isDirectory() ? sourceFiles(`${dir}/${f}`) : f.endsWith('.ts') ? [`${dir}/${f}`] : [],
  );
}

/** Every env variable the code of these workspaces reads. */
function envNamesRead(dirs: Set<string>): Set<string> {
  const names = new Set<string>();
  for (const dir of dirs) {
    for (const file of sourceFiles(`${dir}/src`)) {
      const text = read(file);
      for (const m of text.matchAll(/\benv(?:\.([A-Z][A-Z0-9_]*)\b|\[\s*['"`]([A-Z][A-Z0-9_]*)['"`]\s*\])/g))
        names.add(m[1] ?? m[2]!);
      // Inputs (@rdc/runtime) reads a flag or its variable: inputs.int('concurrency', 'RDC_CONCURRENCY', …).
      for (const call of text.matchAll(/\binputs\.\w+\(([^)]*)\)/g))
        for (const m of call[1]!.matchAll(/['"`]([A-Z][A-Z0-9_]*)['"`]/g)) names.add(m[1]!);
    }
  }
  if (dirs.has(dirOf.get('@rdc/source')!)) {
    for (const s of loadServices(join(root, 'config/services')).services.values()) {
      if (s.auth.type === 'api-key') names.add(s.auth.env).add(`${s.auth.env}_FILE`);
    }
  }
  if (dirs.has(dirOf.get('@rdc/mock-server')!)) for (const f of OPTION_FIELDS) names.add(f.env);
  return names;
}

// ---- .dockerignore -------------------------------------------------------------------

const ignorePatterns = read('.dockerignore')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
// A .dockerignore pattern as a RegExp: "**/" spans folders; "*" and "?" stay within one path segment.
function globRegex(glob: string): RegExp {
  let out = '';
  const g = glob.replace(/^\//, '');
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === '*' && g[i + 1] === '*') {
      const slash = g[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}
/** Docker's rule: a pattern excludes a path if it matches it or one of its parent folders; `!` re-includes; the last match wins. */
function dockerIgnored(path: string): boolean {
  const parts = path.replace(/\/$/, '').split('/');
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const p of ignorePatterns) {
    const negate = p.startsWith('!');
    if (prefixes.some((prefix) => globRegex(negate ? p.slice(1) : p).test(prefix))) ignored = !negate;
  }
  return ignored;
}

// ---- The tests -----------------------------------------------------------------------

describe('containers (static)', () => {
  it('.dockerignore keeps installs, builds, data, .git, tests and bench results out of the context', () => {
    for (const path of [
      'node_modules',
      'packages/core/node_modules',
      'apps/worker/dist',
      'data',
      '.git',
      'test',
      'bench/results/run.json',
      'packages/core/dist/.tsbuildinfo',
    ]) {
      expect(dockerIgnored(path), path).to.equal(true);
    }
    for (const path of [
      'package.json',
      'package-lock.json',
      'packages/core/src/index.ts',
      'config/services/retail.json',
    ]) {
      expect(dockerIgnored(path), path).to.equal(false);
    }
  });

  for (const file of DOCKERFILES) {
    describe(file, () => {
      const stages = parseDockerfile(read(file));

      it('builds only FROM node 22 or 24 (Cloud Run retired node 20)', () => {
        for (const s of stages.filter((s) => !stages.some((o) => o.name === s.base))) {
          expect(s.base, `stage ${s.name}`).to.match(
            /^(docker\.io\/)?(library\/)?node:(22|24)([.-][\w.-]*)?(@sha256:[0-9a-f]{64})?$/,
          );
        }
      });

      it('COPYs from the context only paths that exist and are not dockerignored', () => {
        for (const c of stages.flatMap(copies).filter((c) => !c.from)) {
          for (const src of c.sources) {
            expect(existsSync(join(root, src)), `${src} exists`).to.equal(true);
            expect(dockerIgnored(src), `${src} is not in .dockerignore`).to.equal(false);
          }
        }
      });

      it('COPY --from names an earlier stage', () => {
        stages.forEach((s, i) => {
          for (const c of copies(s).filter((c) => c.from))
            expect(
              stages.slice(0, i).map((x) => x.name),
              `stage ${s.name}`,
            ).to.include(c.from);
        });
      });

      it('calls only npm scripts and workspaces that exist', () => {
        for (const call of stages
          .flatMap((s) => s.body.filter((i) => i.op === 'RUN'))
          .flatMap((i) => npmCalls(i.args))) {
          for (const ws of call.workspaces)
            expect(workspaceDirs, `npm ${call.command} --workspace ${ws}`).to.include(ws);
          if (call.command === 'run' || call.command === 'run-script') {
            for (const dir of call.workspaces.length ? call.workspaces : ['.']) {
              const scripts = (readJson(`${dir}/package.json`).scripts as Record<string, string> | undefined) ?? {};
              expect(scripts, `npm run ${call.args[0]} in ${dir}/package.json`).to.have.property(call.args[0] ?? '');
            }
          }
          if (call.command === 'ci' || call.command === 'install') {
            expect(call.flags, `npm ${call.command}: no dependency needs install scripts`).to.include(
              '--ignore-scripts',
            );
          }
        }
      });

      for (const stage of leafStages(stages)) {
        describe(`runtime stage ${stage.name}`, () => {
          const command = startCommand(stage);
          const app = /^apps\/([\w-]+)\/dist\/main\.js$/.exec(command[1] ?? '')?.[1] ?? '';
          const deps = app ? closure(`apps/${app}`) : new Set<string>();

          it('starts node on an app entry point built from src/main.ts', () => {
            expect(command[0], 'command').to.equal('node');
            expect(
              existsSync(join(root, `apps/${app}/src/main.ts`)),
              `${command[1]} comes from apps/${app}/src/main.ts`,
            ).to.equal(true);
          });

          it('installs production dependencies of that app only, as NODE_ENV=production, and runs as a non-root USER', () => {
            const installs = stage.body
              .filter((i) => i.op === 'RUN')
              .flatMap((i) => npmCalls(i.args))
              .filter((c) => c.command === 'ci');
            expect(installs, 'one npm ci').to.have.length(1);
            expect(installs[0]!.flags).to.include('--omit=dev');
            expect(installs[0]!.workspaces).to.deep.equal([`apps/${app}`]);
            expect(
              stage.body.some((i) => i.op === 'ENV' && /\bNODE_ENV=("?)production\1(\s|$)/.test(i.args)),
              'ENV NODE_ENV=production',
            ).to.equal(true);
            const user = stage.body.filter((i) => i.op === 'USER').at(-1)?.args ?? 'root';
            expect(user, 'USER').to.not.match(/^(root|0)(:|$)/);
          });

          it("copies the manifests and dist/ of exactly the app's workspace and its workspace dependencies", () => {
            const own = copies(stage);
            const manifests = own
              .filter((c) => !c.from)
              .flatMap((c) => c.sources)
              .filter((s) => /\/package\.json$/.test(s))
              .map((s) => s.replace(/\/package\.json$/, ''));
            expect(new Set(manifests), 'workspace package.json files').to.deep.equal(deps);
            const dists = own
              .filter((c) => c.from)
              .flatMap((c) => c.sources)
              .map((s) => s.replace(/^\/app\//, '').replace(/\/dist\/?$/, ''));
            expect(new Set(dists), 'dist folders').to.deep.equal(deps);
            const builder = stages.find((s) => s.name === own.find((c) => c.from)?.from);
            expect(
              builder && stageRuns(stages, builder).some((r) => r.includes(`tsc -b apps/${app}`)),
              `the build stage runs tsc -b apps/${app}`,
            ).to.equal(true);
          });

          it('ships config/services when the app loads service config', () => {
            const loads = [...deps]
              .filter((d) => d !== 'packages/contracts')
              .some((d) => sourceFiles(`${d}/src`).some((f) => read(f).includes('loadServices(')));
            const shipped = copies(stage).some(
              (c) => !c.from && c.sources.some((s) => s.replace(/\/$/, '') === 'config/services'),
            );
            expect(shipped, `config/services in the ${app} image`).to.equal(loads);
          });
        });
      }
    });
  }

  describe('docker-compose.yml', () => {
    type Service = {
      build?: { context?: string; dockerfile?: string; target?: string };
      environment?: Record<string, unknown> | string[];
      volumes?: string[];
      command?: string[];
      depends_on?: Record<string, { condition?: string }>;
      restart?: string;
      profiles?: string[];
    };
    let services: Record<string, Service> = {};
    const env = (name: string): Record<string, string> => {
      const e = services[name]?.environment ?? {};
      const pairs: [string, string][] = Array.isArray(e)
        ? e.map((kv) => [kv.split('=')[0] ?? '', kv.split('=').slice(1).join('=')])
        : Object.entries(e).map(([k, v]) => [k, String(v)]);
      return Object.fromEntries(pairs);
    };

    before(() => {
      services = (parse(read('docker-compose.yml')) as { services: Record<string, Service> }).services;
    });

    it('builds from Dockerfiles and targets that exist, and bind-mounts files that exist', () => {
      for (const [name, s] of Object.entries(services)) {
        if (s.build) {
          const dockerfile = join(s.build.context ?? '.', s.build.dockerfile ?? 'Dockerfile');
          expect(existsSync(join(root, dockerfile)), `${name}: ${dockerfile}`).to.equal(true);
          if (s.build.target)
            expect(
              parseDockerfile(read(dockerfile)).map((x) => x.name),
              `${name}: target`,
            ).to.include(s.build.target);
        }
        for (const v of (s.volumes ?? []).filter((v) => v.startsWith('./')))
          expect(existsSync(join(root, v.split(':')[0]!)), `${name}: ${v}`).to.equal(true);
      }
    });

    it('sets on our services only env variables their code reads', () => {
      for (const [name, s] of Object.entries(services).filter(([, s]) => s.build)) {
        const stages = parseDockerfile(read(join(s.build!.context ?? '.', s.build!.dockerfile ?? 'Dockerfile')));
        const stage = s.build!.target ? stages.find((x) => x.name === s.build!.target)! : stages.at(-1)!;
        const app = /^apps\/([\w-]+)\//.exec(startCommand(stage)[1] ?? '')?.[1] ?? '';
        const known = envNamesRead(closure(`apps/${app}`));
        for (const key of Object.keys(env(name)))
          expect([...known], `${name} (apps/${app}) sets ${key}`).to.include(key);
      }
    });

    it('keeps project, topic, bucket, worker URL and delivery policy in step with the init service', () => {
      const [init, worker, planner] = [env('init'), env('worker'), env('planner')];
      expect(init.PUSH_ENDPOINT).to.equal(`http://worker:${worker.PORT ?? '8080'}/`);
      expect(planner.RDC_TOPIC ?? 'rdc-pages').to.equal(init.TOPIC);
      for (const e of [worker, planner]) {
        expect(e.GOOGLE_CLOUD_PROJECT).to.equal(init.PROJECT_ID);
        expect(/^gs:\/\/([^/]+)/.exec(e.RDC_SINK ?? '')?.[1]).to.equal(init.BUCKET);
      }
      expect(services.pubsub?.command).to.include(`--project=${init.PROJECT_ID}`);
      expect(worker.RDC_MAX_DELIVERY_ATTEMPTS ?? '5').to.equal(init.MAX_DELIVERY_ATTEMPTS);
      expect(worker.RDC_ACK_DEADLINE_SECONDS ?? '60').to.equal(init.ACK_DEADLINE_SECONDS);
      for (const name of Object.keys(services)) {
        if (env(name).RDC_PUSH_AUTH === 'off')
          expect(env(name), `${name}: push auth off only with the emulator`).to.have.property('PUBSUB_EMULATOR_HOST');
      }
    });

    it('runs the planner once, after init completed successfully', () => {
      const planner = services.planner!;
      expect(planner.depends_on?.init?.condition).to.equal('service_completed_successfully');
      expect(planner.restart === 'no' || (planner.profiles ?? []).length > 0, 'restart: "no" or a profile').to.equal(
        true,
      );
    });
  });

  it('docs/deploy.md sets only env variables the planner or worker reads', () => {
    const known = envNamesRead(new Set([...closure('apps/planner'), ...closure('apps/worker')]));
    // <SERVICE>_API_BASE_URL of each shipped service, as the source names it.
    for (const s of loadServices(join(root, 'config/services')).services.keys()) known.add(baseUrlVariable(s));
    const lists = [...read('docs/deploy.md').matchAll(/--(?:set|update)-(?:env-vars|secrets)="?([^"\s]+)/g)].map(
      (m) => m[1]!,
    );
    expect(lists, 'env flags found').to.not.be.empty;
    for (const key of lists.flatMap((l) => l.split(',').map((kv) => kv.split('=')[0]!))) {
      if (!key.startsWith('/')) expect([...known], key).to.include(key); // `/path=secret:v` mounts a file
    }
  });

  it('docker-compose config -q accepts docker-compose.yml', function () {
    this.timeout(30_000);
    const candidates: [string, string[]][] = [
      ['docker-compose', []],
      ['docker', ['compose']],
    ];
    const found = candidates.find(
      ([cmd, pre]) => spawnSync(cmd, [...pre, 'version'], { stdio: 'ignore' }).status === 0,
    );
    if (!found) {
      const hint = 'install it with `apt-get install -y docker-compose` (Debian) or the Docker Compose plugin';
      if (process.env.CI === 'true') throw new Error(`docker-compose is missing: ${hint}`);
      this.test!.title += ` (pending: ${hint})`;
      this.skip();
    }
    const [cmd, pre] = found;
    const result = spawnSync(cmd, [...pre, '-f', 'docker-compose.yml', 'config', '-q'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).to.equal(0);
  });
});
