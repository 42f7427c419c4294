import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadServices } from '@rdc/contracts';
import { makeRunId, runFolder, stateKey, successKey } from '@rdc/core';
import { deadLetterKey, malformedKey, manifestKey, retiredPrefix, unplannedKey } from '@rdc/core/bucket-layout.js';
import { parseLocalArgs } from '@rdc/local';
import { parsePlannerArgs } from '@rdc/planner';
import { baseUrlVariable } from '@rdc/source';
import { parseStackArgs } from '@rdc/stack';
import { parseWorkerConfig } from '@rdc/worker';
import { appEnv, readRepo, repoRoot } from '../support/app-env.js';

/**
 * docs/deploy.md names paths, flags, env variables and bucket objects; each must
 * be one the repository and the apps have, so the guide cannot drift from them.
 */
const GUIDE = 'docs/deploy.md';
const guide = readRepo(GUIDE);
const codeBlocks = [...guide.matchAll(/```\w*\n([\s\S]*?)```/g)].map((m) => m[1]!);
const codeLines = codeBlocks
  .join('\n')
  .replace(/\\\n\s*/g, ' ')
  .split('\n');
const inlineCode = [...guide.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);

/** Shell variables the guide's commands set or use: not env variables of the apps. */
const shellVars = new Set([
  ...codeLines
    .flatMap((l) => [...l.matchAll(/(?:^|\s|for\s+)([A-Z][A-Z0-9_]*)=|\$\{?([A-Z][A-Z0-9_]*)/g)])
    .filter((m) => m.index === 0 || m[0].startsWith('$') || /^\s*for\s/.test(m[0]))
    .map((m) => m[1] ?? m[2]!),
]);

/** Values for the shell variables in a command line, so an app's parser can read it. */
const unshell = (text: string): string =>
  text.replace(/"?\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?"?/g, (_, name: string) =>
    name === 'BUCKET' ? 'my-bucket' : name === 'endpoint' ? 'sales' : 'x',
  );

/** Throws only for a flag the app does not know. */
function knows(parse: () => unknown): boolean {
  try {
    parse();
  } catch (error) {
    if (error instanceof Error && /Unknown flag/.test(error.message)) return false;
  }
  return true;
}
const env = { RDC_SINK: 'gs://my-bucket/raw', RDC_PUSH_AUTH: 'off' };
const ourFlag = (flag: string): boolean =>
  [
    () => parseLocalArgs([flag, 'x'], env),
    () => parsePlannerArgs([flag, 'x'], env),
    () => parseWorkerConfig([flag, 'x'], env),
    () => parseStackArgs([flag, 'x'], env),
  ].some(knows);

describe(`${GUIDE} names only what exists`, () => {
  it('repository paths', () => {
    const top = new Set(readdirSync(repoRoot));
    const paths = inlineCode
      .concat(codeLines.flatMap((l) => l.split(/\s+/)))
      .map((t) => t.replace(/^["'(]+|[,"')]+$/g, ''))
      .filter((t) => !t.includes('<') && !t.includes('$') && !t.includes('*'))
      .filter((t) => top.has(t.split('/')[0]!) && (t.includes('/') || t.includes('.')));
    expect(paths.length, 'the guide names repository files').to.be.greaterThan(8);
    const missing = paths.filter((p) => !existsSync(join(repoRoot, p)));
    expect(missing, 'paths the guide names that do not exist').to.deep.equal([]);
  });

  it("the apps' flags, in every command that runs an app and in the prose", () => {
    let checked = 0;
    for (const line of codeLines) {
      const args = (after: RegExp) =>
        unshell(line.split(after)[1] ?? '')
          .trim()
          .split(/\s+/)
          .filter(Boolean);
      const calls: [string, () => unknown][] = [];
      if (/npm start -- /.test(line)) calls.push(['npm start', () => parseLocalArgs(args(/npm start -- /), env)]);
      if (/npm run status -- /.test(line))
        calls.push(['status', () => parseLocalArgs(['status', ...args(/npm run status -- /)], env)]);
      if (/npm run stack -- /.test(line)) calls.push(['stack', () => parseStackArgs(args(/npm run stack -- /), env)]);
      const planner = /--args=(\S+)/.exec(line);
      if (planner) {
        const argv = unshell(planner[1]!).split(',');
        calls.push(['planner', () => parsePlannerArgs(argv, env)]);
      }
      for (const [app, parse] of calls) {
        checked++;
        expect(knows(parse), `${app}: ${line.trim()}`).to.equal(true);
      }
    }
    expect(checked, 'commands that run an app').to.be.greaterThan(3);
    const gcloudFlags = new Set(
      codeLines.filter((l) => /\b(gcloud|docker|terraform)\b/.test(l)).flatMap((l) => l.match(/--[a-z][\w-]*/g) ?? []),
    );
    const prose = inlineCode
      .filter((c) => !/^(gcloud|docker|terraform|npm audit)\s/.test(c))
      .flatMap((c) => c.match(/(?<![\w-])--[a-z][\w-]*/g) ?? []);
    expect(prose.length).to.be.greaterThan(3);
    for (const flag of prose) {
      expect(
        ourFlag(flag) || gcloudFlags.has(flag),
        `${flag} is an app's flag or one of the guide's commands`,
      ).to.equal(true);
    }
  });

  it('env variables: each is read by an app, or named by a config, or set by a Dockerfile', () => {
    const configs = ['config/services', 'config/examples'].flatMap((d) => [
      ...loadServices(join(repoRoot, d)).services.values(),
    ]);
    const known = new Set([
      ...['worker', 'planner', 'local', 'stack'].flatMap((app) => [...appEnv(app)]),
      ...configs.flatMap((c) => [baseUrlVariable(c.service)]),
      ...configs
        .flatMap((c) =>
          [c.auth].flatMap((a) => ('env' in a ? [a.env] : 'userEnv' in a ? [a.userEnv, a.secretEnv] : [])),
        )
        .flatMap((v) => [v, `${v}_FILE`]),
      ...['Dockerfile.worker', 'Dockerfile.planner'].flatMap((f) =>
        [...readRepo(f).matchAll(/^(?:ENV|ARG)\s+([A-Z][A-Z0-9_]*)/gm)].map((m) => m[1]!),
      ),
    ]);
    const named = [...guide.matchAll(/(?<![<$\w])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?![\w>])/g)].map((m) => m[1]!);
    const envNames = [...new Set(named)].filter((n) => !shellVars.has(n));
    expect(envNames).to.include.members(['RDC_PUSH_AUDIENCE', 'RETAIL_API_BASE_URL', 'WC_CONSUMER_SECRET_FILE']);
    const unknown = envNames.filter((n) => !known.has(n));
    expect(unknown, 'env variables no app reads').to.deep.equal([]);
  });

  it('bucket paths are those of the _rdc/ layout', () => {
    const run = { service: 'retail', endpoint: 'sales' };
    const runId = makeRunId('retail', 'sales', {
      start: new Date('2024-07-01T00:00:00Z'),
      end: new Date('2024-07-02T00:00:00Z'),
    });
    const r = { ...run, runId };
    const keys = [
      successKey(r),
      manifestKey(r),
      runFolder(r),
      deadLetterKey(r, 1),
      malformedKey('abc'),
      unplannedKey('abc'),
      stateKey('retail', 'sales', 'watermark.json'),
      stateKey('retail', 'sales', 'latest.json'),
      retiredPrefix(r, '20240101T000000Z'),
    ];
    const mentions = [...guide.matchAll(/_rdc\/[^\s`"')]*/g)].map((m) => m[0]);
    expect(mentions.length).to.be.greaterThan(5);
    for (const mention of mentions) {
      const known = mention
        .replace(/<service>/g, 'retail')
        .replace(/<endpoint>/g, 'sales')
        .replace(/<runId>/g, runId)
        .split(/[<$…]|NNNNNN/)[0]!;
      expect(
        keys.some((k) => k.startsWith(known)),
        `${mention} is a path of the bucket layout`,
      ).to.equal(true);
    }
    expect(guide, 'no path from before the _rdc/ layout').to.not.match(/_state\/|_deadletter\/|\/_SUCCESS beside/);
  });

  it("carries the cost table that `npm run cost` computes from the bench's results", () => {
    const out = spawnSync(process.execPath, [join(repoRoot, 'bench/dist/cost/main.js')], { encoding: 'utf8' });
    expect(out.status, out.stderr).to.equal(0);
    const cells = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith('|') && !/^\|[\s|:-]+\|$/.test(l))
        .map((l) =>
          l
            .split('|')
            .map((c) => c.trim())
            .join('|'),
        );
    const block = /<!-- cost-model:start[^>]*-->([\s\S]*?)<!-- cost-model:end -->/.exec(guide)?.[1] ?? '';
    expect(cells(out.stdout).length).to.be.greaterThan(8);
    expect(cells(block), 'the table in the guide (run `npm run cost -- --write`)').to.deep.equal(cells(out.stdout));
  });
});
