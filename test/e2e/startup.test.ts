import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { createServer } from 'node:net';
import { createMockApi } from '@rdc/mock-server';
import { APPS, cleanEnv, filesIn, repoRoot, stopChild } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';
import { envelopeFor, post, PushWorkerFixture } from '../support/push.js';

const PRELOAD = pathToFileURL(join(repoRoot, 'test/dist/support/loaded-sdks.js')).href;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Cloud SDK packages the process loaded. */
  sdks: string[];
}

function run(script: string, args: string[], file: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', PRELOAD, script, ...args], {
      cwd: repoRoot,
      env: cleanEnv({ LOADED_SDKS_FILE: file }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, sdks: JSON.parse(readFileSync(file, 'utf8')) as string[] });
    });
  });
}

/**
 * `--help`, `--version` and argument errors need nothing but argument parsing: they
 * must not pay for loading the cloud SDKs (each takes a large share of a second).
 */
describe('start-up: --help, --version and bad arguments load no cloud SDK', function () {
  this.timeout(60_000);
  let dir: string;
  let cleanup: () => void;
  let n = 0;
  const next = () => join(dir, `sdks-${++n}.json`);

  beforeEach(() => {
    ({ dir, cleanup } = tempDir('rdc-startup-'));
  });
  afterEach(() => cleanup());

  for (const [app, script] of Object.entries(APPS)) {
    it(`${app}: --version prints the app and its version; --help and a bad flag answer without the SDKs`, async () => {
      const version = await run(script, ['--version'], next());
      expect(version.code, version.stderr).to.equal(0);
      expect(version.stdout.trim()).to.match(
        new RegExp(`^rdc-${app === 'mockApi' ? 'mock-api' : app} \\d+\\.\\d+\\.\\d+ \\(Node v`),
      );
      expect(version.sdks).to.deep.equal([]);

      const help = await run(script, ['--help'], next());
      expect(help.code, help.stderr).to.equal(0);
      expect(help.stdout).to.match(/Usage/);
      expect(help.stdout).to.contain('--version');
      expect(help.sdks, 'loaded for --help').to.deep.equal([]);

      const bad = await run(script, ['--no-such-flag'], next());
      expect(bad.code, bad.stdout + bad.stderr).to.equal(2);
      expect(bad.sdks, 'loaded for a bad flag').to.deep.equal([]);
    });
  }

  it('a push worker into a folder lands its first task from a cold start without loading a cloud SDK', async () => {
    const fixture = await PushWorkerFixture.create({ end: '2024-07-02T00:00:00Z' });
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const file = next();
    const child = spawn(process.execPath, ['--import', PRELOAD, APPS.worker, '--mode', 'push'], {
      cwd: repoRoot,
      env: cleanEnv({
        LOADED_SDKS_FILE: file,
        API_BASE_URL: fixture.api.url,
        RDC_SINK: `file://${fixture.dir}`,
        RDC_PUSH_AUTH: 'off',
        HOST: '127.0.0.1',
        PORT: String(port),
      }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    try {
      const task = fixture.tasks[0]!;
      let status = 0;
      for (const deadline = Date.now() + 20_000; status === 0 && Date.now() < deadline;) {
        status = await post(`http://127.0.0.1:${port}/`, envelopeFor(task)).then(
          (r) => r.status,
          () => 0,
        );
        if (status === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(status, stderr).to.equal(204);
      expect(filesIn(fixture.dir).length, 'the page landed').to.be.greaterThan(fixture.planned.length);
      expect(await stopChild(child), stderr).to.equal(0);
      expect(JSON.parse(readFileSync(file, 'utf8')), 'cloud SDKs loaded').to.deep.equal([]);
    } finally {
      await stopChild(child, 'SIGKILL');
      await fixture.close();
    }
  });

  it('a local dry run into a folder loads no cloud SDK', async () => {
    const args = ['--service', 'retail', '--endpoint', 'sales', '--start-date', '2024-07-01'];
    args.push('--end-date', '2024-07-02', '--dry-run', '--sink', join(dir, 'sink'));
    const local = await run(APPS.local, args, next());
    expect(local.code, local.stderr).to.equal(0);
    expect(local.sdks).to.deep.equal([]);
  });

  it('probe: --help, a bad flag and a probe of an API answer without the SDKs', async () => {
    const help = await run(APPS.local, ['probe', '--help'], next());
    expect(help.code, help.stderr).to.equal(0);
    expect(help.stdout).to.match(/Usage: npm run probe/);
    expect(help.sdks).to.deep.equal([]);
    const bad = await run(APPS.local, ['probe', '--no-such-flag'], next());
    expect(bad.code, bad.stdout + bad.stderr).to.equal(2);
    expect(bad.sdks).to.deep.equal([]);
    const api = await createMockApi({});
    try {
      const url = `${api.url}/sales?start_date=2024-07-01T00:00:00Z&end_date=2024-07-02T00:00:00Z&limit=10`;
      const probed = await run(APPS.local, ['probe', '--url', url], next());
      expect(probed.code, probed.stderr).to.equal(0);
      expect(probed.sdks, 'loaded for a probe').to.deep.equal([]);
    } finally {
      await api.close();
    }
  });
});
