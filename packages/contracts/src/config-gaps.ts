/**
 * What `probe` writes in a draft config where it could not decide a value:
 * `"FILL ME: <what belongs here>"`. The loader refuses a config that still holds
 * one, naming each key, so a draft never runs on a guess.
 */
export const GAP_MARK = 'FILL ME';

export interface ConfigGap {
  /** Dotted key, e.g. `endpoints.orders.timestampField`. */
  key: string;
  /** The marked value, e.g. `FILL ME: one of date_created, date_created_gmt`. */
  text: string;
}

/** Every string value (at any depth) that is still a gap, in document order. */
export function configGaps(value: unknown, path: string[] = []): ConfigGap[] {
  if (typeof value === 'string') {
    return value.trimStart().startsWith(GAP_MARK) ? [{ key: path.join('.') || '(root)', text: value }] : [];
  }
  if (value === null || typeof value !== 'object') return [];
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item, i) => [String(i), item])
    : Object.entries(value);
  return entries.flatMap(([key, inner]) => [
    ...(key.startsWith(GAP_MARK) ? [{ key: [...path, key].join('.'), text: key }] : []),
    ...configGaps(inner, [...path, key]),
  ]);
}

/** The loader's message for a config with gaps: one line per key, saying what to put there. */
export function describeGaps(gaps: readonly ConfigGap[], where: string): string {
  const lines = gaps.map((gap) => `  - ${gap.key}: ${gap.text}`);
  return (
    `${where} still has ${gaps.length === 1 ? 'a value' : `${gaps.length} values`} to fill in ` +
    `(marked "${GAP_MARK}" where probe could not decide them):\n${lines.join('\n')}\n` +
    'Replace each marked value with the right one (see docs/config.md), then run again.'
  );
}
