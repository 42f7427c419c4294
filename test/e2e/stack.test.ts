import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { expect } from 'chai';
import { findPubSubEmulator } from '@rdc/queues';
import { createMockApi } from '@rdc/mock-server';
import type { StackSummary } from '@rdc/stack';
import { APPS, cleanEnv, filesIn, idsInFolder, repoRoot, type CliResult } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';

/**
 * `npm run stack`: the emulator, the mock API, worker processes and the planner in one
 * command; every record lands once, and nothing it started outlives it.
 */
const START = '2024-07-01';
const END = '2025-02-01'; // 40 pages of 250 sales in the bundled API's default data

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function answers(host: string): Promise<boolean> {
  const [h = '', port = ''] = host.split(':');
  return new Promise((resolve) => {
    const socket = connect({ host: h, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs the stack; `interruptWhen` sends SIGINT once its stderr matches. */
function stack(args: string[], env: NodeJS.ProcessEnv, interruptWhen?: RegExp): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [APPS.stack, ...args, '--json'], { env, cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
      if (interruptWhen?.test(stderr) && child.exitCode === null) child.kill('SIGINT');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('npm run stack: the distributed path in one command', function () {
  let dir: string;
  let cleanup: () => void;
  let expected: string[];

  before(async function () {
    const found = findPubSubEmulator();
    if (found.kind === 'missing') {
      if (process.env['CI'] === 'true') throw new Error(`${found.reason} (CI=true: the stack test must run).`);
      this.skip();
    }
    const api = await createMockApi();
    expected = api.idsInWindow('sales', new Date(`${START}T00:00:00Z`), new Date(`${END}T00:00:00Z`));
    await api.close();
  });
  beforeEach(() => ({ dir, cleanup } = tempDir('rdc-stack-')));
  afterEach(() => cleanup());

  const window = ['--service', 'retail', '--endpoint', 'sales', '--start_date', START, '--end_date', END];

  async function expectNothingLeft(summary: StackSummary): Promise<void> {
    expect(summary.emulator.started, 'the stack started its own emulator').to.equal(true);
    expect(await answers(summary.emulator.host!), `emulator ${summary.emulator.host} still answers`).to.equal(false);
    expect(summary.processes.map((p) => p.name)).to.include.members(['mock-api', 'worker 1', 'worker 2']);
    const alive = summary.processes.filter((p) => isRunning(p.pid));
    expect(alive, 'processes the stack left running').to.deep.equal([]);
  }

  for (const mode of ['pull', 'push'] as const) {
    it(`${mode}: a 40-page run with 2 workers lands every record once, then stops everything`, async function () {
      this.timeout(120_000);
      const run = await stack([...window, '--workers', '2', '--mode', mode, '--sink', dir], cleanEnv());
      expect(run.code, run.stderr).to.equal(0);
      const summary = JSON.parse(run.stdout) as StackSummary;
      expect(summary).to.include({ ok: true, mode, workers: 2, pages: 40, landed: 40, missing: 0 });
      expect(run.stderr).to.match(/progress: 40\/40 pages landed/);
      const landed = idsInFolder(dir);
      expect(landed).to.have.length(expected.length);
      expect(landed).to.deep.equal(expected);
      expect(filesIn(dir).filter((f) => f.startsWith('_rdc/deadletter/'))).to.deep.equal([]);
      expect(filesIn(dir).some((f) => f.endsWith('/_SUCCESS'))).to.equal(true);
      await expectNothingLeft(summary);
    });
  }

  it('Ctrl-C mid-run stops the workers, the mock API and the emulator, and exits 130', async function () {
    this.timeout(120_000);
    const run = await stack(
      [...window, '--workers', '2', '--mode', 'push', '--sink', dir],
      cleanEnv({ MOCK_LATENCY_MS: '400' }),
      /progress: [1-9]\d*\/40/,
    );
    expect(run.code, run.stderr).to.equal(130);
    const summary = JSON.parse(run.stdout) as StackSummary;
    expect(summary).to.include({ ok: false, exitCode: 130 });
    expect(summary.error).to.match(/Interrupted/);
    await expectNothingLeft(summary);
  });

  it('a flag the planner refuses: exit 2 naming it, and everything started before is stopped', async function () {
    this.timeout(60_000);
    const run = await stack(
      ['--service', 'retail', '--endpoint', 'sales', '--start_date', START, '--end_date', 'someday', '--sink', dir],
      cleanEnv(),
    );
    expect(run.code, run.stderr).to.equal(2);
    const summary = JSON.parse(run.stdout) as StackSummary;
    expect(summary).to.include({ ok: false, exitCode: 2 });
    expect(summary.error)
      .to.match(/planner exited with 2/)
      .and.match(/--end[-_]date/);
    await expectNothingLeft(summary);
  });

  it('bad arguments exit 2 and name the flag, before starting anything', async function () {
    this.timeout(30_000);
    const run = await stack([...window, '--mode', 'sideways'], cleanEnv());
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include('--mode must be pull or push, got "sideways"');
    expect(run.stderr).to.not.include('emulator');
  });
});
