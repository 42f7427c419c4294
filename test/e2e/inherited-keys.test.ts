import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { APPS, cleanEnv, idsInFolder, repoRoot, runCli } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';
import { createKeysApi, type KeysApi } from '../support/keys-api.js';

/**
 * Names that every plain JavaScript object inherits (`__proto__`, `constructor`,
 * `toString`), sent as record fields by an API or written as names in config.
 * Records land exactly as sent; config that leans on such a name exits 2 naming it.
 */
const CONFIG_DIR = join(repoRoot, 'test/fixtures/hostile-keys');
const EXIT_BOUND_MS = 8_000;
const window = (start: string, end: string) => ['--start_date', start, '--end_date', end];

/** Every landed line under `dir`, parsed, by id. */
function landed(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      if (e.isDirectory()) walk(path);
      else if (/\/page-[^/]+\.ndjson$/.test(path))
        for (const line of readFileSync(path, 'utf8').split('\n').filter(Boolean))
          out.set(String((JSON.parse(line) as { id: unknown }).id), line);
    }
  };
  walk(dir);
  return out;
}

/** A record as JSON.parse reads it, written back: same fields, same order, own `__proto__` keys kept. */
const canonical = (text: string): string => JSON.stringify(JSON.parse(text));

describe('inherited key names in records and config', function () {
  this.timeout(60_000);
  let api: KeysApi;
  let tmp: { dir: string; cleanup: () => void };

  beforeEach(async () => {
    api = await createKeysApi();
    tmp = tempDir('rdc-inherited-keys-');
  });
  afterEach(async () => {
    await api.close();
    tmp.cleanup();
  });

  const run = (args: string[], env: Record<string, string> = {}) =>
    runCli(
      APPS.local,
      ['--config-dir', CONFIG_DIR, '--service', 'keys', '--sink', join(tmp.dir, 'sink'), ...args],
      cleanEnv({ KEYS_API_BASE_URL: api.url, ...env }),
      45_000,
    );

  it('records with __proto__, constructor and toString keys land exactly as sent, sealed; the next run continues from the watermark', async () => {
    const first = await run(['--endpoint', 'sales', ...window('2024-01-01', '2024-01-01T12:00:00Z')]);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.include('__proto__ (object, ').and.include('meta.__proto__ (object, ');
    expect(first.stdout).to.include('constructor (string, ').and.include('toString (string, ');
    // Read from the watermark the first run wrote: a polluted Object.prototype broke this read.
    const second = await run(['--endpoint', 'sales', '--end_date', '2024-01-02']);
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stderr).to.include('2024-01-01T12:00:00.000Z');

    const data = join(tmp.dir, 'sink', 'keys', 'sales');
    const ids = idsInFolder(data);
    expect(ids).to.have.length(new Set(ids).size);
    expect([...ids].sort()).to.deep.equal(api.idsInWindow(new Date('2024-01-01'), new Date('2024-01-02')));
    const lines = landed(data);
    for (const [id, text] of api.served) expect(canonical(lines.get(id) ?? 'null'), id).to.equal(canonical(text));
    expect([...lines.values()].filter((l) => l.includes('"__proto__":{"records":1,"polluted":true}'))).to.have.length(
      36,
    );
    const runs = join(tmp.dir, 'sink', '_rdc', 'runs', 'keys', 'sales');
    for (const run of readdirSync(runs)) expect(existsSync(join(runs, run, '_SUCCESS')), run).to.equal(true);
    expect(readdirSync(runs)).to.have.length(2);
  });

  it('a schema that declares constructor? and toString? takes records with and without them', async () => {
    const result = await run(['--endpoint', 'declared', ...window('2024-01-01', '2024-01-02')]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/drift +__proto__ \(object, 36 records\): /);
    const lines = landed(join(tmp.dir, 'sink', 'keys', 'declared'));
    expect(lines.size).to.equal(250);
    for (const [id, text] of api.served) expect(canonical(lines.get(id) ?? 'null'), id).to.equal(canonical(text));
  });

  describe('config that leans on an inherited name exits 2, promptly, naming it', () => {
    /** Writes a one-file config folder with the fixture's sales endpoint changed by `edit`. */
    function configWith(edit: (service: Record<string, unknown>, sales: Record<string, unknown>) => void): string {
      const service = JSON.parse(readFileSync(join(CONFIG_DIR, 'keys.json'), 'utf8')) as Record<string, unknown>;
      const endpoints = service.endpoints as Record<string, Record<string, unknown>>;
      edit(service, endpoints.sales!);
      const dir = join(tmp.dir, 'config');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'keys.json'), JSON.stringify(service));
      return dir;
    }
    const expectExit2 = async (args: string[], message: RegExp) => {
      const started = Date.now();
      const result = await runCli(APPS.local, args, cleanEnv({ KEYS_API_BASE_URL: api.url }), EXIT_BOUND_MS);
      expect(result.code, result.stderr).to.equal(2);
      expect(result.stderr).to.match(message);
      expect(result.stderr, 'no stack trace').not.to.match(/\n\s+at /);
      expect(Date.now() - started).to.be.below(EXIT_BOUND_MS);
      expect(existsSync(join(tmp.dir, 'sink')), 'nothing written').to.equal(false);
    };
    const sink = () => ['--sink', join(tmp.dir, 'sink')];

    for (const endpoint of ['constructor']) {
      it(`--endpoint ${endpoint}`, async () => {
        await expectExit2(
          [
            '--config-dir',
            CONFIG_DIR,
            '--service',
            'keys',
            '--endpoint',
            endpoint,
            ...window('2024-01-01', '2024-01-02'),
            ...sink(),
          ],
          new RegExp(`Unknown endpoint "${endpoint}" for service "keys"|--endpoint "${endpoint}" is invalid`),
        );
      });
    }

    for (const field of ['constructor', 'toString'] as const) {
      for (const key of ['idField', 'timestampField'] as const) {
        it(`${key} "${field}", not in the schema`, async () => {
          const dir = configWith((_, sales) => (sales[key] = field));
          await expectExit2(
            [
              '--config-dir',
              dir,
              '--service',
              'keys',
              '--endpoint',
              'sales',
              ...window('2024-01-01', '2024-01-02'),
              ...sink(),
            ],
            new RegExp(`endpoints\\.sales\\.schema: expected the schema to name the ${key} "${field}"`),
          );
        });
      }
    }

    it('a "__proto__" key in the config (a query parameter, a schema field) is named, not dropped', async () => {
      const edits: [edit: (sales: Record<string, unknown>) => void, where: string][] = [
        [(sales) => (sales.query = JSON.parse('{"__proto__":"x"}') as unknown), 'query'],
        [(sales) => Object.assign(sales.schema as object, JSON.parse('{"__proto__?":"string"}') as object), 'schema'],
      ];
      for (const [edit, where] of edits) {
        const dir = configWith((_, sales) => edit(sales));
        await expectExit2(
          [
            '--config-dir',
            dir,
            '--service',
            'keys',
            '--endpoint',
            'sales',
            ...window('2024-01-01', '2024-01-02'),
            ...sink(),
          ],
          new RegExp(
            `keys\\.json is invalid:\\n  - endpoints\\.sales\\.${where}\\.__proto__\\??: the key "__proto__" cannot be used`,
          ),
        );
      }
    });

    it('status ../.. latest: a bad argument, not a failed run', async () => {
      await expectExit2(
        ['status', '../..', 'latest', ...sink()],
        /status "\.\.\/\.\. latest": "\.\." is not a service or endpoint name/,
      );
    });
  });
});
