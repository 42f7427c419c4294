import { expect } from 'chai';
import { createHostileApi } from '../support/hostile-api.js';
import { cursorWalkRun, expectEveryIdOnce, resumeUntilSealed, RUN, WINDOW_ARGS } from '../support/cursor-walk-run.js';

/** Records per page of the copied config: each of the window's slices (~120 records) takes ~8 pages. */
const PAGE_SIZE = 15;
/** `limits.maxSliceSeconds` of the copied config. */
const SECONDS = 1;
/** The API answers each request this late, so a slice's walk outlasts its seconds after a few pages. */
const DELAY_MS = 400;

describe('a cursor walk stopped at its time bound continues on --resume from where it stopped', function () {
  this.timeout(120_000);
  const run = cursorWalkRun({ pageSize: PAGE_SIZE, limits: { maxSliceSeconds: SECONDS }, cliTimeoutMs: 60_000 });

  it('a slow API stops the walk at limits.maxSliceSeconds; each --resume goes on from the last landed page, never fetching it again; every record lands once', async () => {
    run.api = await createHostileApi({ records: 500, stepMs: 300_000, delayMs: DELAY_MS });
    const first = await run.local(WINDOW_ARGS);
    expect(first.code, first.stderr.slice(-2000)).to.equal(1);
    expect(first.stderr)
      .to.match(/slice [12]\/\d+ \[/)
      .and.to.match(/last cursor \\?"\d+\\?"/)
      .and.to.include('limits.maxSliceSeconds')
      .and.to.include(`--resume ${RUN}`)
      .and.not.to.include('limits.maxPagesPerSlice');
    expect(run.sealed()).to.deep.equal([]);
    expect(run.pagesLanded(), 'pages landed before the time bound').to.be.above(0);

    // Every attempt lands at least one page of each slice it walks, so ~8 pages per slice end within 12 resumes.
    const resumes = await resumeUntilSealed(run, { setting: 'limits.maxSliceSeconds', maxResumes: 13 });
    expect(resumes, 'a walk longer than two time bounds needs more than one resume').to.be.at.least(2);
    expect(run.sealed()).to.have.length(1);
    await expectEveryIdOnce(run);
  });
});
