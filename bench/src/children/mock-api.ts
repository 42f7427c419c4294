/**
 * The retail mock API in its own process, forked by the bench with an IPC channel:
 * the bench asks it for the ids a window holds (to check completeness) and for
 * its counters (429s sent), and tells it when to close.
 */
import { createMockApi, type MockApi, type MockApiOptions } from '@rdc/mock-server';
import type { MockReply, MockRequest } from '../support/mock-protocol.js';

type Wire = Omit<Partial<MockApiOptions>, 'dataStart' | 'dataEnd'> & { dataStart?: string; dataEnd?: string };

function parseOptions(raw: string | undefined): Partial<MockApiOptions> {
  const wire = JSON.parse(raw ?? '{}') as Wire;
  const { dataStart, dataEnd, ...rest } = wire;
  return {
    ...rest,
    ...(dataStart ? { dataStart: new Date(dataStart) } : {}),
    ...(dataEnd ? { dataEnd: new Date(dataEnd) } : {}),
  };
}

const date = (iso: string | undefined): Date | undefined => (iso ? new Date(iso) : undefined);

function answer(api: MockApi, request: MockRequest): unknown {
  switch (request.op) {
    case 'ids':
      return api.idsInWindow('sales', date(request.start), date(request.end));
    case 'count':
      return api.countInWindow('sales', date(request.start), date(request.end));
    case 'stats':
      return api.stats;
    case 'reset':
      api.resetStats();
      return null;
  }
}

async function run(): Promise<void> {
  const send = (message: MockReply): void => void process.send?.(message);
  const api = await createMockApi(parseOptions(process.argv[2]));
  process.on('message', (request: MockRequest | { op: 'close' }) => {
    if (request.op === 'close') {
      void api.close().finally(() => process.disconnect());
      return;
    }
    try {
      send({ id: request.id, ok: true, value: answer(api, request) });
    } catch (error) {
      send({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  });
  // The parent going away must not leave the API serving.
  process.on('disconnect', () => void api.close());
  send({ id: 0, ok: true, value: api.url });
}

run().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
