import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { createMockApi, type MockApi } from '@rdc/mock-server';
import { APPS, cleanEnv, repoRoot, runCli } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-explicit-any -- edits of a parsed JSON config */
type Json = Record<string, any>;

interface Mistake {
  what: string;
  edit: (service: Json, sales: Json) => void;
  /** The one error line: the key it names and what the response (or config) holds. */
  says: RegExp;
}

/** Config mistakes a user makes when pointing the connector at an API, each against the bundled mock API. */
const MISTAKES: Mistake[] = [
  {
    what: 'a records path that matches nothing',
    edit: (_, sales) => (sales.response.records = 'items'),
    says: /endpoints\.sales\.response\.records is "items", but nothing is there \(the body's keys: data, total.*did you mean `records: "data"`\?/,
  },
  {
    what: 'a total header the API does not send',
    edit: (_, sales) => (sales.response.total = { from: 'header', name: 'X-Total-Count' }),
    says: /endpoints\.sales\.response\.total\.name is "X-Total-Count", but the response has no such header; headers present:/,
  },
  {
    what: 'a total path the body does not have',
    edit: (_, sales) => (sales.response.total = { from: 'body', path: 'count' }),
    says: /endpoints\.sales\.response\.total\.path is "count", but the body holds nothing there; numbers in the body: total/,
  },
  {
    what: 'an id field the records lack',
    edit: (_, sales) => {
      sales.idField = 'sale_id';
      sales.schema.sale_id = 'string';
    },
    says: /endpoints\.sales\.idField is "sale_id", but the first record has no such field \(its fields: id, created_at/,
  },
  {
    what: 'a timestamp field the records lack',
    edit: (_, sales) => {
      sales.timestampField = 'created';
      sales.schema.created = 'datetime';
    },
    says: /endpoints\.sales\.timestampField is "created", but the first record has no such field .*did you mean "created_at"\?/,
  },
  {
    what: 'a timestamp format unlike the records',
    edit: (_, sales) => (sales.schema.created_at = 'epoch-seconds'),
    says: /endpoints\.sales\.schema gives created_at the type "epoch-seconds", but the first record holds string "20\d\d-.*" \(looks like "datetime"\)/,
  },
  {
    what: 'a typo in a nested key',
    edit: (_, sales) => (sales.pagination.pageSzie = 100),
    says: /endpoints\.sales\.pagination: unknown key "pageSzie" \(did you mean "pageSize"\?\)/,
  },
];

/**
 * Each mistake exits 2 at planning with one line naming the key and what was found,
 * after at most 2 requests to the API, and writes nothing to the sink.
 */
describe('config mistakes found at planning', function () {
  this.timeout(60_000);
  let api: MockApi;
  let dir: string;
  let cleanup: () => void;

  beforeEach(async () => {
    api = await createMockApi({});
    ({ dir, cleanup } = tempDir('rdc-config-mistakes-'));
  });
  afterEach(async () => {
    await api.close();
    cleanup();
  });

  for (const mistake of MISTAKES) {
    it(`${mistake.what}: exit 2, one line naming the key, at most 2 requests`, async () => {
      const config = JSON.parse(readFileSync(join(repoRoot, 'config/services/retail.json'), 'utf8')) as Json;
      delete config.$schema;
      mistake.edit(config, config.endpoints.sales as Json);
      const configDir = join(dir, 'config');
      mkdirSync(configDir);
      writeFileSync(join(configDir, 'retail.json'), JSON.stringify(config));
      const sink = join(dir, 'sink');
      const args = ['--service', 'retail', '--endpoint', 'sales', '--start-date', '2024-07-01'];
      args.push('--end-date', '2024-07-08', '--config-dir', configDir, '--sink', sink);
      const run = await runCli(APPS.local, args, cleanEnv({ RETAIL_API_BASE_URL: api.url, LOG_FORMAT: 'pretty' }));

      expect(run.code, run.stdout + run.stderr).to.equal(2);
      const errors = run.stderr.split('\n').filter((line) => line.startsWith('error:'));
      expect(errors, run.stderr).to.have.length(1);
      expect(run.stderr).to.match(mistake.says);
      expect(run.stderr, 'nothing retried').not.to.match(/retrying/i);
      expect(api.stats.requests, 'requests to the API').to.be.at.most(2);
      expect(existsSync(join(sink, '_rdc')), 'nothing planned').to.equal(false);
    });
  }
});
