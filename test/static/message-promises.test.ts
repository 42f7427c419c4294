import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function sources(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && f.split(/[\\/]/).includes('src'))
    .filter((f) => !f.split(/[\\/]/).includes('node_modules') && !f.split(/[\\/]/).includes('dist'))
    .map((f) => join(folder, f));
}

/**
 * A message cannot know whether its caller retries: a storage error thrown at the
 * planner stops it, the same error in a worker is redelivered. So errors describe the
 * problem ("another attempt can succeed") and the caller that decides says what happens.
 */
describe('messages promise only what happens', () => {
  it('no message in packages/ or apps/ says it "will be retried" or "will retry"', () => {
    const promises = ['packages', 'apps'].flatMap(sources).flatMap((file) =>
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${file}:${i + 1}` }))
        .filter(({ line }) => !/^\s*(\/\/|\*|\/\*)/.test(line))
        .filter(({ line }) => /['"`][^'"`]*\bwill (be retried|retry)\b/i.test(line))
        .map(({ at, line }) => `${at}: ${line.trim()}`),
    );
    expect(promises).to.deep.equal([]);
  });
});
