import type { z } from 'zod';

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * One line per problem: where it is, the bad value, and what was expected.
 * `where` names the file, message or variable the input came from.
 */
export function describeZodError(error: z.ZodError, where: string, input: unknown): string {
  const lines = error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    return `  - ${field}: ${issue.message} (got ${show(valueAt(input, issue.path))})`;
  });
  return `${where} is invalid:\n${lines.join('\n')}`;
}
