export { PLANNER_HELP, COMMON_OPTIONS, PlannerArgs, parseCommon, parsePlannerArgs } from './cli.js';
export type { PlannerCommand } from './cli.js';
export { runPlanner } from './run-planner.js';
export type { PlannerIo } from './run-planner.js';
export { wireCommon, createPublisher, noPublisher } from './wiring.js';
export type { Wired } from './wiring.js';
export { planSummary, formatPlan } from './summary.js';
