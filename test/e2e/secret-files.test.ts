import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { APPS, cleanEnv, repoRoot, runCli } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';

/**
 * Secrets and config files a deployment gets wrong: a secret with a line break
 * inside, a `<VAR>_FILE` or a config file that is a device, a named pipe or a
 * folder. Each exits 2 promptly, naming the variable or file, never the secret,
 * without reading a byte more than it must.
 */
const EXIT_BOUND_MS = 8_000;
const KEY = 'sk_live_7f3a9c1e5b2d4f6a8c0e';
const base = ['--service', 'retail', '--endpoint', 'sales', '--start_date', '2024-07-01', '--end_date', '2024-07-02'];

describe('secrets and config files that are not what they should be exit 2, promptly', function () {
  this.timeout(60_000);
  const tmp = tempDir('rdc-secret-files-');
  const sink = join(tmp.dir, 'sink');
  const fifo = join(tmp.dir, 'a-fifo');
  execFileSync('mkfifo', [fifo]);
  after(tmp.cleanup);

  /** A config folder with the shipped retail config, and `extra` beside it. */
  function configDir(name: string, extra: (dir: string) => void): string {
    const dir = join(tmp.dir, name);
    mkdirSync(dir);
    copyFileSync(join(repoRoot, 'config/services/retail.json'), join(dir, 'retail.json'));
    extra(dir);
    return dir;
  }

  const cases: [what: string, args: string[], env: Record<string, string>, message: RegExp][] = [
    [
      'a key with a line break inside (env)',
      base,
      { RETAIL_API_KEY: `${KEY}\nX-Other: 1` },
      /^error: RETAIL_API_KEY holds a control character/m,
    ],
    [
      'a key file with a line break inside',
      base,
      { RETAIL_API_KEY_FILE: join(tmp.dir, 'two-line-key') },
      /the file .*two-line-key named by RETAIL_API_KEY_FILE holds a control character/,
    ],
    [
      'RETAIL_API_KEY_FILE=/dev/zero',
      base,
      { RETAIL_API_KEY_FILE: '/dev/zero' },
      /The file \/dev\/zero named by RETAIL_API_KEY_FILE is a device, not a regular file/,
    ],
    [
      'RETAIL_API_KEY_FILE is a named pipe',
      base,
      { RETAIL_API_KEY_FILE: fifo },
      /named by RETAIL_API_KEY_FILE is a named pipe \(FIFO\), not a regular file/,
    ],
    [
      'RETAIL_API_KEY_FILE is a folder',
      base,
      { RETAIL_API_KEY_FILE: tmp.dir },
      /named by RETAIL_API_KEY_FILE is a folder, not a regular file/,
    ],
    [
      'RETAIL_API_KEY_FILE of 100 KB',
      base,
      { RETAIL_API_KEY_FILE: join(tmp.dir, 'huge-key') },
      /named by RETAIL_API_KEY_FILE holds 102400 bytes, more than the 65536 allowed/,
    ],
  ];
  writeFileSync(join(tmp.dir, 'two-line-key'), `${KEY}\nsecond line\n`);
  writeFileSync(join(tmp.dir, 'huge-key'), 'k'.repeat(100 * 1024));

  const configCases: [what: string, extra: (dir: string) => void, message: RegExp][] = [
    [
      'a *.json that is a named pipe',
      (dir) => execFileSync('mkfifo', [join(dir, 'shop.json')]),
      /shop\.json is a named pipe/,
    ],
    [
      'a *.json linked to /dev/zero',
      (dir) => symlinkSync('/dev/zero', join(dir, 'shop.json')),
      /shop\.json is a device/,
    ],
    [
      'a *.json over 1 MiB',
      (dir) => writeFileSync(join(dir, 'shop.json'), ' '.repeat(2 * 1024 * 1024)),
      /shop\.json holds 2097152 bytes/,
    ],
  ];
  configCases.forEach(([what, extra, message], i) => {
    cases.push([what, [...base, '--config-dir', configDir(`config-${i}`, extra)], { RETAIL_API_KEY: KEY }, message]);
  });

  // The planner and a worker, whose Pub/Sub (here an address nothing answers on) would hold them up:
  // a set secret that cannot be read is found before anything is opened.
  const unreachable = { PUBSUB_EMULATOR_HOST: '127.0.0.1:1', GOOGLE_CLOUD_PROJECT: 'rdc-secret-files' };
  const apps: [what: string, app: string, args: string[], env: Record<string, string>][] = [
    ['planner', APPS.planner, base, unreachable],
    ['worker', APPS.worker, [], { ...unreachable, RDC_PUSH_AUTH: 'off', PORT: '0' }],
  ];
  for (const [app, script, args, env] of apps) {
    const secrets: [what: string, secret: Record<string, string>, message: RegExp][] = [
      [
        'RETAIL_API_KEY_FILE is /dev/zero',
        { RETAIL_API_KEY_FILE: '/dev/zero' },
        /The file \/dev\/zero named by RETAIL_API_KEY_FILE is a device/,
      ],
      [
        'RETAIL_API_KEY_FILE is a named pipe',
        { RETAIL_API_KEY_FILE: fifo },
        /named by RETAIL_API_KEY_FILE is a named pipe \(FIFO\)/,
      ],
      [
        'RETAIL_API_KEY holds a line break',
        { RETAIL_API_KEY: `${KEY}\nX-Other: 1` },
        /RETAIL_API_KEY holds a control character/,
      ],
    ];
    for (const [what, secret, message] of secrets) {
      it(`${app}: ${what}: exit 2 at start-up, naming it, never the key`, async () => {
        const started = Date.now();
        const result = await runCli(script, [...args, '--sink', sink], cleanEnv({ ...env, ...secret }), EXIT_BOUND_MS);
        expect(result.code, result.stderr).to.equal(2);
        expect(result.stderr).to.match(message);
        expect(result.stderr + result.stdout).not.to.include(KEY);
        expect(Date.now() - started).to.be.below(EXIT_BOUND_MS);
        expect(existsSync(sink), 'nothing written').to.equal(false);
      });
    }
  }

  for (const [what, args, env, message] of cases) {
    it(`${what}: exit 2, names it, never the key`, async () => {
      const started = Date.now();
      const result = await runCli(APPS.local, [...args, '--sink', sink], cleanEnv(env), EXIT_BOUND_MS);
      expect(result.code, result.stderr).to.equal(2);
      expect(result.stderr).to.match(message);
      expect(result.stderr + result.stdout).not.to.include(KEY);
      expect(result.stderr, 'no stack trace').not.to.match(/\n\s+at /);
      expect(Date.now() - started).to.be.below(EXIT_BOUND_MS);
      expect(existsSync(sink), 'nothing written').to.equal(false);
    });
  }
});
