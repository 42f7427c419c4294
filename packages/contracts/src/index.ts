export * from './defaults.js';
export * from './errors.js';
export * from './record-schema.js';
export * from './schema-formats.js';
export * from './service-config.js';
export * from './load-services.js';
export * from './task.js';
export * from './ports.js';
export { describeZodError } from './zod-errors.js';
