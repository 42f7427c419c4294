// @rdc/runtime: what the apps share. Command-line parsing (flags, env fallbacks),
// the run flags of the planner and local runner, and the wiring of the config
// catalog, the API sources and the sink.
export { parseFlags, spellings, suggestFlag } from './flags.js';
export type { FlagSpec, FlagSpecs, FlagValues, ParsedFlags } from './flags.js';
export { check, Inputs, parseInteger } from './inputs.js';
export type { Input } from './inputs.js';
export {
  ALIASES_HELP,
  COMMON_FLAGS,
  PlannerArgs,
  WINDOW_FLAGS,
  parseCommon,
  repairTarget,
  sinkSetting,
} from './run-options.js';
export type { ParseDefaults } from './run-options.js';
export { checkCommon, wireCommon } from './wiring.js';
export type { Wired } from './wiring.js';
