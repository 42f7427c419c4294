// @rdc/logging: the logger of every app. JSON lines for Cloud Logging in
// production, readable lines locally; LOG_FORMAT and LOG_LEVEL choose.
export { createLogger, parseLogSettings } from './logger.js';
export type { LoggerOptions, LogFormat, LogLevel } from './logger.js';
