import { DATA_END, DATA_START, PAGE_SIZE } from '../config.js';
import type { Figure } from '../report.js';
import { startMock } from '../support/mock.js';
import { failedFigure, windowWithPages, type ScenarioContext } from './context.js';
import { runEmbedded } from './embedded.js';

/**
 * Memory: peak RSS of the embedded run (`npm start`, shipped retail config) at two
 * run sizes against a no-latency API. A flat figure means nothing is held per page.
 */
export async function runMemory(ctx: ScenarioContext): Promise<Figure[]> {
  const { small, large } = ctx.sizes.memory;
  const mock = await startMock({ sales: large * PAGE_SIZE, dataStart: DATA_START, dataEnd: DATA_END });
  const figures: Figure[] = [];
  try {
    for (const pages of [small, large]) {
      const id = pages === small ? 'memory.small' : 'memory.large';
      const contender = `embedded run, ${pages.toLocaleString('en-US')} pages`;
      try {
        const window = await windowWithPages(mock, DATA_START, DATA_END, pages);
        const expected = await mock.ids(window.start, window.end);
        figures.push(await runEmbedded(ctx, { scenario: 'Memory', id, contender, mock, window, expected }));
      } catch (error) {
        figures.push(failedFigure('Memory', id, contender, error));
      }
    }
  } finally {
    await mock.close();
  }
  const [first, second] = figures;
  if (first?.peakRssMb !== undefined && second?.peakRssMb !== undefined) {
    second.reference = first.peakRssMb;
    second.ratio = second.peakRssMb / first.peakRssMb;
  }
  return figures;
}
