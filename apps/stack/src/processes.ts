import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The stack's child processes: each in its own process group (so Ctrl-C in a terminal
 * reaches the stack only, and the stack stops them in order), output kept for
 * diagnostics, and all killed if the stack itself exits without stopping them.
 */
export interface StackProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** The last lines it printed. */
  tail(): string;
  /** Resolves with the exit code (null: killed by a signal). */
  readonly exited: Promise<number | null>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // gone already
  }
}

/** Starts `node <script> <args>` with `env`. */
export function startProcess(
  name: string,
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  onLine?: (line: string) => void,
): StackProcess {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => live.forEach((c) => killGroup(c, 'SIGKILL')));
  }
  const child = spawn(process.execPath, [script, ...args], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`Could not start ${name} (${script}).`);
  live.add(child);
  const lines: string[] = [];
  let partial = '';
  const keep = (chunk: Buffer): void => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      onLine?.(line);
    }
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(child.exitCode ?? 1));
    child.once('close', (code) => {
      live.delete(child);
      resolve(code);
    });
  });
  return { name, pid: child.pid, child, tail: () => [...lines, partial].join('\n').trim(), exited };
}

/** SIGTERM to its group, SIGKILL after `graceMs`; resolves once it has exited. */
export async function stopProcess(p: StackProcess, graceMs = 15_000): Promise<number | null> {
  killGroup(p.child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(p.child, 'SIGKILL'), graceMs);
  try {
    return await p.exited;
  } finally {
    clearTimeout(timer);
  }
}
