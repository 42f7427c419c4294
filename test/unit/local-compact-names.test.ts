import { loadServices, silentLog } from '@rdc/contracts';
import { makeRunId } from '@rdc/core';
import type { RunManifest } from '@rdc/core/state/manifest.js';
import { compactSealedRun } from '@rdc/local/compact-local.js';
import { expect } from 'chai';
import { MemorySink } from '../support/fakes.js';

const window = { start: '2024-07-01T00:00:00.000Z', end: '2024-07-02T00:00:00.000Z' };

function manifestFor(endpoint: string): RunManifest {
  return {
    v: 1,
    runId: makeRunId('retail', endpoint, { start: new Date(window.start), end: new Date(window.end) }),
    service: 'retail',
    endpoint,
    window,
    pageSize: 250,
    total: 0,
    pages: 0,
    plannedAt: window.start,
    sink: 'mem://test',
  };
}

describe('local: compaction of a sealed run looks its endpoint up by its own name', () => {
  for (const endpoint of ['constructor']) {
    it(`a run of "${endpoint}", a name every object inherits, not an endpoint of the config, compacts nothing and writes nothing`, async () => {
      const sink = new MemorySink();
      const result = await compactSealedRun(
        { sink, catalog: loadServices(), log: silentLog },
        manifestFor(endpoint),
        true,
      );
      expect(result).to.equal(undefined);
      expect([...sink.objects.keys()]).to.deep.equal([]);
    });
  }
});
