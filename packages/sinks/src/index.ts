export { FileSink, type FileOps, type FileSinkOptions } from './file-sink.js';
export { GcsSink, type GcsSinkOptions } from './gcs-sink.js';
export { gcsRetryPlan, type GcsRetryPlan } from './gcs-client.js';
export { createSink, parseSinkUrl, type CreateSinkOptions, type SinkLocation } from './sink-url.js';
export { validateKey, validatePrefix } from './keys.js';
export { DEFAULT_CONTENT_TYPE, GCS_DEFAULTS } from './defaults.js';
