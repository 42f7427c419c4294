export { PLANNER_HELP, parsePlannerArgs } from './cli.js';
export type { PlannerCommand } from './cli.js';
export { runPlanner } from './run-planner.js';
export type { PlannerIo } from './run-planner.js';
export { createPublisher, noPublisher } from './publisher.js';
export { planSummary, formatPlan } from './summary.js';
