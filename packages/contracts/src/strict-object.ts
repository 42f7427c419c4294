import { z } from 'zod';
import { closestName } from './suggest.js';

/**
 * `z.strictObject` whose unknown-key error gives the valid form: the keys it
 * allows, and the one a misspelt key was probably meant to be.
 */
export function strictObject<Shape extends z.ZodRawShape>(shape: Shape) {
  const valid = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      const hints = issue.keys.map((key) => {
        const near = closestName(key, valid);
        return near ? `"${key}" (did you mean "${near}"?)` : `"${key}"`;
      });
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${hints.join(', ')}; valid keys: ${valid.join(', ')}`;
    },
  });
}
