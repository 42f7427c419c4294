import { ownValue, PermanentError, type EndpointConfig, type ServiceCatalog, type Task } from '@rdc/contracts';
import { makeRunId } from '../bucket-layout.js';

/**
 * The endpoint config a task names, found in the allow-list the config folder
 * defines: the service and endpoint exist, the run id is the one its service,
 * endpoint and window imply, and its slice (or compaction date) lies inside
 * that window. Anything
 * else is a PermanentError, so no message can steer a write outside its run's
 * prefix. (Who may push a message at all is the push worker's OIDC check.)
 */
export function allowListedEndpoint(task: Task, catalog: ServiceCatalog): EndpointConfig {
  const service = catalog.services.get(task.service);
  const endpoint = service && ownValue(service.endpoints, task.endpoint);
  if (!endpoint) {
    throw new PermanentError(
      `Task names ${task.service}/${task.endpoint}, which the worker's config does not define. Valid services: ${[...catalog.services.keys()].join(', ')}.`,
      { runId: task.runId },
    );
  }
  const window = { start: new Date(task.window.start), end: new Date(task.window.end) };
  const expected = makeRunId(task.service, task.endpoint, window);
  if (task.runId !== expected) {
    throw new PermanentError(
      `Task run id ${task.runId} does not match its service, endpoint and window (${expected}).`,
    );
  }
  if (task.kind === 'compact') {
    const day = Date.parse(`${task.dt}T00:00:00Z`);
    if (day + 86_400_000 <= window.start.getTime() || day >= window.end.getTime()) {
      throw new PermanentError(
        `Compaction task dt=${task.dt} is not a date of its run's window [${task.window.start}, ${task.window.end}).`,
        {
          runId: task.runId,
        },
      );
    }
  } else if (task.slice) {
    const start = Date.parse(task.slice.start);
    const end = Date.parse(task.slice.end);
    if (start < window.start.getTime() || end > window.end.getTime()) {
      throw new PermanentError(
        `Task slice [${task.slice.start}, ${task.slice.end}) is not inside its run's window [${task.window.start}, ${task.window.end}).`,
        { runId: task.runId },
      );
    }
  }
  return endpoint;
}
