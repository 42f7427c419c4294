/** Messages between the bench and its mock API process (see children/mock-api.ts). */
export type MockRequest =
  | { id: number; op: 'ids'; start?: string; end?: string }
  | { id: number; op: 'count'; start?: string; end?: string }
  | { id: number; op: 'stats' }
  | { id: number; op: 'reset' };

/** `id` 0 carries the URL once the API listens. */
export type MockReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };
