import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { CONFIG_REFERENCE_PATHS, configReferenceFiles, undocumentedConfigKeys } from '@rdc/contracts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * docs/config.md and config/service.schema.json are generated from the zod schemas
 * (`npm run config-docs`): a key, a default or a meaning changed in the schema and not
 * regenerated fails here.
 */
describe('the config reference and the JSON Schema match the zod schemas', () => {
  for (const [path, expected] of configReferenceFiles()) {
    it(`${path} is what npm run config-docs writes`, () => {
      const actual = readFileSync(join(root, path), 'utf8');
      expect(actual === expected, `${path} is stale: run \`npm run config-docs\` and commit the result`).to.equal(true);
    });
  }

  it('every key has a meaning and an example (.meta({ description, examples }) in the zod schema)', () => {
    expect(undocumentedConfigKeys()).to.deep.equal([]);
  });

  it('the reference lists every key with its default, e.g. limits.concurrency and params.format', () => {
    const text = readFileSync(join(root, CONFIG_REFERENCE_PATHS.markdown), 'utf8');
    expect(text).to.match(/\| `concurrency` \| integer > 0 \| `16` \| Requests in flight/);
    expect(text).to.match(/\| `format` \| .*`"epoch-seconds"`.* \| `"iso"` \| How bound values are written/);
    for (const key of ['query', 'defaultStartDate', 'slice', 'maxPage', 'maxOffset', 'of', 'hasMorePath']) {
      expect(text, key).to.contain(`| \`${key}\` |`);
    }
  });

  it('every shipped service config names the JSON Schema in $schema', () => {
    for (const folder of ['config/services', 'config/examples']) {
      const files = readdirSync(join(root, folder)).filter((f) => f.endsWith('.json'));
      expect(files, folder).not.to.be.empty;
      for (const file of files) {
        const config = JSON.parse(readFileSync(join(root, folder, file), 'utf8')) as { $schema?: unknown };
        expect(config.$schema, `${folder}/${file}`).to.equal('../service.schema.json');
      }
    }
  });
});
