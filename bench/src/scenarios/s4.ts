import { s4Records } from '../config.js';
import type { Figure } from '../report.js';
import { CHILDREN } from '../support/paths.js';
import type { ScenarioContext } from './context.js';
import { publishScenario } from './s3.js';

/**
 * S4, the seed's scale: a year at 6,000 records an hour (52.56M records, 210,240
 * page tasks) planned by the real planRun and published through the real
 * PubSubPublisher to the emulator, against the bare publish loop on the same
 * count. The count comes from a counting stub: the mock holds at most 9,999,999 records.
 */
export function runS4(ctx: ScenarioContext): Promise<Figure[]> {
  const { start, end, recordsPerHour, repeats } = ctx.sizes.s4;
  const records = s4Records(ctx.sizes);
  const perHour = recordsPerHour.toLocaleString('en-US');
  return publishScenario(ctx, { scenario: 'S4', records, start, end, repeats }, [
    {
      id: 's4.ceiling',
      contender: 'bare publishMessage loop (ceiling)',
      script: CHILDREN.publishCeiling,
      note: `the same messages as the planner's, in a loop; same batching and flow control`,
    },
    {
      id: 's4.planner',
      contender: 'planner → PubSubPublisher',
      script: CHILDREN.planPublish,
      note: `planRun over [${start}, ${end}) at ${perHour} records/hour (count from a stub), every page task published, then flush`,
    },
    {
      id: 's4.planner-capped',
      contender: 'planner, --max-old-space-size=128',
      script: CHILDREN.planPublish,
      note: 'the same run with V8 old space capped at 128 MB: how much of the peak RSS is GC headroom (informational)',
      nodeArgs: ['--max-old-space-size=128'],
    },
  ]);
}
