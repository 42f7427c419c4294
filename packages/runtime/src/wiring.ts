import { loadServices, resolveEndpoint, type Log, type ServiceCatalog, type Sink } from '@rdc/contracts';
import { createSink } from '@rdc/sinks';
import { createSourceRegistry, type SourceRegistry, type SourceRegistryOptions } from '@rdc/source';
import type { PlannerArgs } from './run-options.js';

export interface Wired {
  catalog: ServiceCatalog;
  sources: SourceRegistry;
  sink: Sink;
}

/** Loads the config and checks the service and endpoint exist. Opens nothing, so call it before starting anything. */
export function checkCommon(args: Pick<PlannerArgs, 'configDir' | 'service' | 'endpoint'>): ServiceCatalog {
  const catalog = loadServices(args.configDir);
  resolveEndpoint(catalog, args.service, args.endpoint);
  return catalog;
}

/** Loads the config and builds the source and sink the arguments select. Validates before any I/O. */
export function wireCommon(
  args: PlannerArgs,
  env: NodeJS.ProcessEnv,
  log: Log,
  chosenBaseUrl?: SourceRegistryOptions['chosenBaseUrl'],
): Wired {
  const catalog = checkCommon(args);
  // Pages are gzipped by the page handler (--gzip); the sink stores bytes as given.
  const sink = createSink(args.sink, { gcs: { ...(args.project ? { projectId: args.project } : {}) } });
  const sources = createSourceRegistry(catalog, {
    env,
    log,
    only: args.service,
    ...(chosenBaseUrl && { chosenBaseUrl }),
  });
  return { catalog, sources, sink };
}
