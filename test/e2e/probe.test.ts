import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { configGaps } from '@rdc/contracts';
import { APPS, cleanEnv, idsInFolder, runCli } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';
import { PROBE_CASES, type ProbeCase } from '../support/probe-cases.js';

const START = new Date('2024-07-01T00:00:00Z');
const END = new Date('2024-08-01T00:00:00Z');

/** Sets a dotted key of a parsed config. */
function fill(config: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = config;
  for (const part of parts.slice(0, -1)) node = node[part] as Record<string, unknown>;
  node[parts.at(-1)!] = value;
}

async function probeAndLand(c: ProbeCase, dir: string) {
  const api = await c.start();
  try {
    const file = join(dir, `${c.service}.json`);
    const env = cleanEnv(api.env);
    const args = [
      'probe',
      '--url',
      api.url,
      '--service',
      c.service,
      '--out',
      file,
      ...(c.auth ? ['--auth', c.auth] : []),
    ];
    const probed = await runCli(APPS.local, args, env, 20_000);
    expect(probed.code, probed.stderr).to.equal(0);
    const draftText = readFileSync(file, 'utf8');
    for (const secret of Object.values(api.env)) {
      expect(probed.stdout + probed.stderr + draftText, 'a secret shown').not.to.include(secret);
    }
    const draft = JSON.parse(draftText) as Record<string, unknown>;
    const at = `endpoints.${c.endpoint}.`;
    const marked = configGaps(draft).map((g) => g.key);
    const expected = Object.keys(c.gaps).map((k) => `${at}${k}`);
    expect(marked.sort(), probed.stdout).to.deep.equal(expected.sort());
    for (const key of marked) expect(probed.stdout, 'the report names each gap').to.include(key);
    const sink = join(dir, 'sink');
    const run = [
      '--service',
      c.service,
      '--endpoint',
      c.endpoint,
      '--start-date',
      '2024-07-01',
      '--end-date',
      '2024-08-01',
    ];
    if (c.runUnfilled) {
      const refused = await runCli(APPS.local, [...run, '--config-dir', dir, '--sink', sink], env, 15_000);
      expect(refused.code, refused.stderr).to.equal(2);
      expect(refused.stderr).to.include(`${c.service}.json still has ${marked.length} values to fill in`);
      for (const key of marked) expect(refused.stderr).to.include(`  - ${key}: FILL ME: `);
    }
    for (const [key, value] of Object.entries(c.gaps)) fill(draft, `${at}${key}`, value);
    writeFileSync(file, JSON.stringify(draft, null, 2));

    const landed = await runCli(APPS.local, [...run, '--config-dir', dir, '--sink', sink, '--json'], env, 60_000);
    expect(landed.code, landed.stderr.slice(-2000)).to.equal(0);
    const ids = idsInFolder(sink);
    const wanted = api.idsIn(START, END);
    expect(wanted.length).to.be.greaterThan(100);
    expect(ids.length, 'each id once').to.equal(new Set(ids).size);
    expect([...ids].sort()).to.deep.equal([...wanted].sort());
  } finally {
    await api.close();
  }
}

describe('probe: a draft config from one page, its marked gaps filled, lands a month exactly', function () {
  this.timeout(60_000);

  for (const c of PROBE_CASES) {
    it(`${c.name}: marks ${Object.keys(c.gaps).join(', ') || 'no gap'}`, async () => {
      const { dir, cleanup } = tempDir('rdc-probe-');
      try {
        await probeAndLand(c, dir);
      } finally {
        cleanup();
      }
    });
  }
});
