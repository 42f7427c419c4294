// @rdc/runtime: what the apps share. The run flags and their parsing (planner and
// local runner), and the wiring of the config catalog, the API sources and the sink.
export { COMMON_OPTIONS, PlannerArgs, parseCommon } from './run-options.js';
export type { ParseDefaults } from './run-options.js';
export { wireCommon } from './wiring.js';
export type { Wired } from './wiring.js';
