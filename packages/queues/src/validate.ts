/**
 * Option checks with p-queue style messages: they name the option, the bad value and its type.
 */

export function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TypeError(`Expected \`${name}\` to be a positive integer, got \`${String(value)}\` (${typeof value})`);
  }
  return value;
}

export function finiteAtLeast(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(
      `Expected \`${name}\` to be a finite number >= ${min}, got \`${String(value)}\` (${typeof value})`,
    );
  }
  return value;
}

export function nonEmptyString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TypeError(`Expected \`${name}\` to be a non-empty string, got \`${String(value)}\` (${typeof value})`);
  }
  return value;
}
