export { parseStackArgs, STACK_DEFAULTS, STACK_HELP, type StackArgs } from './cli.js';
export { runStack, APPS, type StackSummary, type StackDeps } from './run-stack.js';
export { formatSummary } from './summary.js';
export {
  applyTopology,
  fillTopology,
  loadTopology,
  parseTopology,
  TOPOLOGY_DEFAULTS,
  TOPOLOGY_FILE,
  type TopologyCall,
  type TopologyValues,
} from './topology.js';
