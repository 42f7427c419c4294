import { expect } from 'chai';
import { createHostileApi } from '../support/hostile-api.js';
import { cursorWalkRun, expectEveryIdOnce, resumeUntilSealed, RUN, WINDOW_ARGS } from '../support/cursor-walk-run.js';

/** Records per page of the copied config, so each slice's walk takes several pages. */
const PAGE_SIZE = 20;
const BOUND = 4;

describe('a cursor walk stopped at its page bound continues on --resume from where it stopped', function () {
  this.timeout(180_000);
  const run = cursorWalkRun({ pageSize: PAGE_SIZE, limits: { maxPagesPerSlice: BOUND }, cliTimeoutMs: 90_000 });

  it('each --resume walks one more bound of pages from the last one landed, never fetching a landed page again; every record lands once', async () => {
    run.api = await createHostileApi({ records: 500, stepMs: 300_000 });
    const first = await run.local(WINDOW_ARGS);
    expect(first.code, first.stderr.slice(-2000)).to.equal(1);
    expect(first.stderr)
      .to.match(/slice [12]\/\d+ \[/)
      .and.to.match(/last cursor \\?"\d+\\?"/)
      .and.to.include('limits.maxPagesPerSlice')
      .and.to.include(`--resume ${RUN}`)
      .and.to.include('one more bound');
    expect(run.sealed()).to.deep.equal([]);
    expect(run.pagesLanded(), 'pages landed before the bound').to.be.above(0);

    const resumes = await resumeUntilSealed(run, {
      setting: 'limits.maxPagesPerSlice',
      maxResumes: 10,
      boundPages: BOUND,
    });
    expect(resumes, 'a walk longer than two bounds needs more than one resume').to.be.at.least(2);
    expect(run.sealed()).to.have.length(1);
    await expectEveryIdOnce(run);
  });

  it('a cursor that never ends stops again on each --resume, after one more bound of pages per slice', async () => {
    const api = (run.api = await createHostileApi({ records: 500, stepMs: 300_000, mode: 'endless-cursor' }));
    const first = await run.local(WINDOW_ARGS);
    expect(first.code, first.stderr.slice(-2000)).to.equal(1);
    const slices = new Set([...first.stderr.matchAll(/slice (\d+)\/\d+ \[/g)].map((m) => m[1])).size;
    expect(slices, 'slices stopped at their bound').to.be.above(0);
    for (let resume = 1; resume <= 2; resume++) {
      const before = api.requests;
      const resumed = await run.local(['--resume', RUN]);
      expect(resumed.code, resumed.stderr.slice(-2000)).to.equal(1);
      expect(resumed.stderr).to.include('limits.maxPagesPerSlice').and.include('one more bound');
      expect(api.requests - before, `requests of resume ${resume}`).to.equal(slices * BOUND);
    }
    expect(run.sealed()).to.deep.equal([]);
  });
});
