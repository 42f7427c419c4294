// @rdc/sinks: where pages land, behind the Sink port of @rdc/contracts: a local
// folder (file://) or Google Cloud Storage (gs://), chosen by URL. Internals are
// tested through their module path, e.g. `@rdc/sinks/keys.js`.

// Choosing a sink by URL: what the apps use.
export { createSink, parseSinkUrl, type CreateSinkOptions, type SinkLocation } from './sink-url.js';

// The local-folder sink, used directly by tests and the bench.
export { FileSink, type FileSinkOptions } from './file-sink.js';
