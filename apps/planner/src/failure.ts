import { errorMessage } from '@rdc/contracts';

/**
 * What the planner says when it stops on anything but bad arguments or config. Nothing
 * in the planner retries a failed plan, whatever the error's own words suggest
 * ("another attempt can succeed"), so this says who can and what to run.
 */
export function plannerFailure(error: unknown): string {
  return (
    `Planning stopped: ${errorMessage(error)} ` +
    'The planner does not retry it (it exits 1; a scheduler that retries failed jobs runs it again). ' +
    'Once the problem above has passed or is fixed, run the same planner command again: ' +
    'what was already written is kept, and no page lands twice.'
  );
}
