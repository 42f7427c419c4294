import { type Delivery, type Log, type ServiceCatalog, type Sink, type Source, type Task } from '@rdc/contracts';
import {
  authorizeTask,
  finalizeRun,
  handleTask,
  parseRunId,
  processDelivery,
  readManifest,
  type Processed,
  type ProcessDeps,
  type RunManifest,
} from '@rdc/core';

export interface ProcessorDeps {
  catalog: ServiceCatalog;
  sourceFor(service: string): Source;
  sink: Sink;
  log: Log;
  gzip: boolean;
  maxDeliveryAttempts: number;
}

export type Processor = (delivery: Delivery, decode?: ProcessDeps['decode']) => Promise<Processed>;

/**
 * The worker's page pipeline, shared by push and pull: handle the task, map the
 * outcome, and after a page lands check whether the run is complete (then
 * write `_SUCCESS` and advance the watermark).
 */
export function createProcessor(deps: ProcessorDeps): Processor {
  const manifests = new Map<string, RunManifest>();
  const finished = new Set<string>();

  async function afterLanded(task: Task): Promise<void> {
    if (finished.has(task.runId)) return;
    let manifest = manifests.get(task.runId);
    if (!manifest) {
      manifest = await readManifest(deps.sink, parseRunId(task.runId));
      if (!manifest) return;
      manifests.set(task.runId, manifest);
    }
    const status = await finalizeRun(deps.sink, manifest);
    if (status.complete) {
      finished.add(task.runId);
      manifests.delete(task.runId);
      deps.log.info(`Run ${task.runId} complete: ${status.landedPages}/${status.expectedPages} pages landed`, {
        runId: task.runId,
      });
    }
  }

  return (delivery, decode) =>
    processDelivery(delivery, {
      handle: (task) => handleTask(task, deps),
      sink: deps.sink,
      log: deps.log,
      maxDeliveryAttempts: deps.maxDeliveryAttempts,
      authorize: (task) => void authorizeTask(task, deps.catalog),
      afterLanded,
      ...(decode ? { decode } : {}),
    });
}
