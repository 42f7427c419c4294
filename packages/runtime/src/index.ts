// @rdc/runtime: what the apps share. Command-line parsing (flags, env fallbacks),
// the run flags of the planner and local runner, the wiring of the config
// catalog, the API sources and the sink, and the one planning entry both share.
// Internals are tested through their module path, e.g. `@rdc/runtime/flags.js`.

// Flags and their env fallbacks: parsed once, every error naming the flag or variable.
export { parseFlags } from './flags.js';
export type { FlagSpec, FlagSpecs, FlagValues, ParsedFlags } from './flags.js';
export { check, Inputs } from './inputs.js';
export type { Input } from './inputs.js';

// The run flags of the planner and `npm start`.
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
export { RUN_DEFAULTS } from './defaults.js';

// Wiring: the config catalog, the API sources and the sink of one run.
export { checkCommon, wireCommon } from './wiring.js';
export type { Wired } from './wiring.js';

// Planning: plan, --resume, --repair and --dry-run mean the same for the planner and `npm start`.
export { planFromArgs } from './plan-entry.js';
export type { PlanArgs, PlanPolicy } from './plan-entry.js';
