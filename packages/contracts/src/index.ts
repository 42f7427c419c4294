// @rdc/contracts: what every package and app agrees on. The service config
// (zod schemas, defaults, loading), the task message, the error classes that
// carry retryability, record schemas and timestamps, and the ports (Source,
// Sink, TaskPublisher, TaskConsumer, Log) the adapters implement. Each module
// exported whole below is contract through and through.
export * from './defaults.js';
export * from './errors.js';
export * from './record-schema.js';
export * from './record-check.js';
export * from './schema-formats.js';
export * from './service-config.js';
export * from './load-services.js';
export { ownValue, nameTable } from './own-keys.js';
export { readSmallFile, SmallFileError, MAX_SECRET_FILE_BYTES } from './small-file.js';
export * from './task.js';
export * from './time-values.js';
export * from './time-zone.js';
export * from './timestamps.js';
export * from './window-bounds.js';
export { boundSpec, timestampReader, type TimestampReader } from './endpoint-time.js';
export { closestName, editDistance } from './suggest.js';
export * from './ports.js';
export { describeZodError } from './zod-errors.js';
export { configGaps, GAP_MARK, type ConfigGap } from './config-gaps.js';
export { versionRequested, versionText } from './version.js';
export { freePort } from './tcp-port.js';
export { CONFIG_REFERENCE_PATHS, configReferenceFiles, undocumentedConfigKeys } from './config-reference.js';
export { arrayItemTexts, exactId, keepRecordText, memberCount, recordLine, scalarTextAt } from './json-text.js';
