import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createMockApi } from '@rdc/mock-server';
import { APPS, cleanEnv, runCli } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';

const KEY = 'rk_live_5f0c9a1e77d2b8c4';
const probe = (args: string[], env: Record<string, string> = {}) =>
  runCli(APPS.local, ['probe', ...args], cleanEnv(env), 15_000);

describe('probe: arguments, credentials and the output file', function () {
  this.timeout(30_000);

  it('bad or missing arguments exit 2 at once, naming the flag', async () => {
    const started = Date.now();
    const cases: [string[], RegExp][] = [
      [['--url'], /--url/],
      [[], /probe needs --url/],
      [['--url', 'not a url'], /--url is not a URL/],
      [['--url', 'ftp://x.example/a'], /--url must be http or https/],
      [['--url', 'http://u:p@x.example/a'], /--url carries a user or password/],
      [['--url', 'http://x.example/a', '--service', 'Bad-Name'], /--service "Bad-Name"/],
      [['--url', 'http://x.example/a', '--auth', `bearer:${KEY}`], /NAME of an env variable/],
    ];
    for (const [args, message] of cases) {
      const result = await probe(args);
      expect(result.code, args.join(' ')).to.equal(2);
      expect(result.stderr, args.join(' ')).to.match(message);
      expect(result.stdout + result.stderr).not.to.include(KEY);
    }
    expect(Date.now() - started, 'each answered without a request').to.be.lessThan(cases.length * 3000);
  });

  it('an answer that is not a JSON page exits 1 saying what came back', async () => {
    const server = createServer((req, res) => {
      if (req.url?.startsWith('/html')) res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
      else if (req.url?.startsWith('/moved')) res.writeHead(302, { location: '/html' }).end();
      else res.writeHead(503).end('{"error":"maintenance"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const cases: [string, RegExp][] = [
        ['/html', /answered 200 but not with JSON .*<html>login<\/html>/],
        ['/moved', /answered 302, a redirect to \/html: give --url the address it points to/],
        ['/down', /answered 503: \{"error":"maintenance"\}/],
      ];
      for (const [path, message] of cases) {
        const result = await probe(['--url', `${base}${path}?limit=10`]);
        expect(result.code, path).to.equal(1);
        expect(result.stderr, path).to.match(message);
        expect(result.stdout, path).to.equal('');
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  describe('against the bundled API with a key', () => {
    let api: Awaited<ReturnType<typeof createMockApi>>;
    let dir: string;
    let cleanup: () => void;
    const url = () =>
      `${api.url}/sales?start_date=2024-07-01T00:00:00Z&end_date=2024-07-02T00:00:00Z&limit=10&offset=0`;
    const auth = ['--auth', 'header:X-API-Key:RETAIL_API_KEY'];

    beforeEach(async () => {
      api = await createMockApi({ apiKey: KEY });
      ({ dir, cleanup } = tempDir('rdc-probe-cli-'));
    });
    afterEach(async () => {
      cleanup();
      await api.close();
    });

    it('a missing variable exits 2 naming it; a wrong key exits 2 saying the API refused it, the key never shown', async () => {
      const missing = await probe(['--url', url(), ...auth]);
      expect(missing.code).to.equal(2);
      expect(missing.stderr).to.include('RETAIL_API_KEY');
      const wrong = await probe(['--url', url(), ...auth], { RETAIL_API_KEY: `${KEY}x` });
      expect(wrong.code).to.equal(2);
      expect(wrong.stderr).to.match(/answered 401 .*Check --auth/);
      expect(wrong.stdout + wrong.stderr).not.to.include(KEY);
    });

    it('reads the key from the variable or its _FILE, never prints or saves it, and never writes over a file', async () => {
      const keyFile = join(dir, 'key');
      writeFileSync(keyFile, `${KEY}\n`);
      const out = join(dir, 'draft.json');
      const saved = await probe(['--url', `${url()}&api_key=${KEY}`, ...auth, '--out', out], {
        RETAIL_API_KEY_FILE: keyFile,
      });
      expect(saved.code, saved.stderr).to.equal(0);
      expect(saved.stdout).to.include(`Draft written to ${out}`);
      expect(saved.stdout).to.include('left out, they look like credentials: api_key');
      const printed = await probe(['--url', url(), ...auth], { RETAIL_API_KEY: KEY });
      expect(printed.code, printed.stderr).to.equal(0);
      expect(JSON.parse(printed.stdout)).to.deep.include({
        auth: { type: 'header', name: 'X-API-Key', env: 'RETAIL_API_KEY' },
      });
      expect(printed.stderr).to.include('Id field');
      for (const text of [saved.stdout, saved.stderr, printed.stdout, printed.stderr, readFileSync(out, 'utf8')]) {
        expect(text).not.to.include(KEY);
      }
      const again = await probe(['--url', url(), ...auth, '--out', out], { RETAIL_API_KEY: KEY });
      expect(again.code).to.equal(2);
      expect(again.stderr).to.include(`--out ${out} exists already`);
    });
  });
});
