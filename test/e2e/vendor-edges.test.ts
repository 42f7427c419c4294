import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import { filesIn } from '../support/cli.js';
import { seeds } from '../support/replicas/replica-server.js';
import {
  at,
  CONFIG_DIR,
  expectAllAccepted,
  land,
  type Replica,
  sorted,
  VENDORS,
} from '../support/replicas/vendor-runs.js';

/**
 * The edges where a client of a real vendor API loses or repeats records: an empty
 * window, a window of exactly one or two full pages (the last page full, with no next),
 * hourly windows across the hours a shop's clocks change, and ids as large as real ones.
 */

const PAGE_SIZES = new Map([
  ['stripe', 100],
  ['woocommerce', 100],
  ['shopify', 250],
]);

/** The end of a window from `start` holding exactly `count` records (the replicas share one dataset). */
function endAfter(start: string, count: number): string {
  const instants = seeds()
    .map((s) => s.at)
    .filter((t) => t >= Date.parse(start))
    .sort((a, b) => a - b);
  const end = instants[count]!;
  expect(instants[count - 1]!, 'the record before the end is in an earlier second').to.be.below(end);
  return new Date(end).toISOString();
}

/** Ids as written in the landed NDJSON, digit for digit. */
function rawIds(dir: string): string[] {
  return filesIn(dir)
    .filter((f) => /(^|\/)page-[^/]+\.ndjson(\.gz)?$/.test(f))
    .flatMap((f) => {
      const raw = readFileSync(`${dir}/${f}`);
      const text = (f.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
      return [...text.matchAll(/^\{.*?"id":("[^"]*"|\d+)/gm)].map((m) => m[1]!);
    });
}

describe('the shipped vendor configs at the edges of windows and pages', function () {
  this.timeout(400_000);

  for (const vendor of VENDORS) {
    describe(vendor.service, () => {
      let replica: Replica;
      before(async () => {
        replica = await vendor.start(false);
      });
      after(async () => {
        await replica.close();
      });

      it('an empty window lands nothing and exits 0', async () => {
        const landed = await land(vendor, replica, '2023-06-01', '2023-06-02');
        expect(landed).to.deep.equal([]);
        expectAllAccepted(replica);
      });

      for (const pages of [1, 2]) {
        it(`a window of exactly ${pages} full page${pages > 1 ? 's' : ''} lands every record once`, async () => {
          const size = PAGE_SIZES.get(vendor.service)!;
          const start = '2024-03-01T00:00:00Z';
          const end = endAfter(start, pages * size);
          const expected = sorted(replica.idsIn(at(start), at(end)));
          expect(expected).to.have.length(pages * size);
          const landed = await land(vendor, replica, start, end);
          expect(landed.length, 'each id once').to.equal(new Set(landed).size);
          expect(sorted(landed)).to.deep.equal(expected);
          expectAllAccepted(replica);
        });
      }

      it('hourly windows across the New York clock changes land each record once, in its own hour', async () => {
        const hours = [
          ['2024-03-10T06:00:00Z', '2024-03-10T07:00:00Z', '2024-03-10T08:00:00Z'],
          ['2024-11-03T04:00:00Z', '2024-11-03T05:00:00Z', '2024-11-03T06:00:00Z', '2024-11-03T07:00:00Z'],
        ];
        for (const bounds of hours) {
          const all: string[] = [];
          for (let i = 0; i + 1 < bounds.length; i++) {
            const [start, end] = [bounds[i]!, bounds[i + 1]!];
            const landed = await land(vendor, replica, start, end);
            expect(sorted(landed), `${start}..${end}`).to.deep.equal(sorted(replica.idsIn(at(start), at(end))));
            all.push(...landed);
          }
          expect(all.length, 'no record in two hours').to.equal(new Set(all).size);
          const first = bounds[0]!;
          const last = bounds.at(-1)!;
          expect(sorted(all)).to.deep.equal(sorted(replica.idsIn(at(first), at(last))));
          // Both records on each inner bound, and those a second either side.
          expect(all.length).to.be.at.least((bounds.length - 2) * 4);
        }
        expectAllAccepted(replica);
      });

      it('ids land exactly as the API wrote them', async () => {
        // Three days around the hundredth record, where the Shopify replica's ids go from nine digits to thirteen.
        const day = Math.floor(seeds().find((s) => s.seq === 100)!.at / 86_400_000) * 86_400_000;
        const start = new Date(day - 86_400_000).toISOString();
        const end = new Date(day + 2 * 86_400_000).toISOString();
        let raw: string[] = [];
        await land(vendor, replica, start, end, {}, CONFIG_DIR, (dir) => (raw = rawIds(dir)));
        const expected = replica.idsIn(at(start), at(end)).map((id) => JSON.stringify(id));
        expect(raw.sort()).to.deep.equal(expected.sort());
        if (vendor.service === 'shopify') {
          expect(raw.map((id) => id.length)).to.include.members([9, 13]);
        }
      });
    });
  }
});
