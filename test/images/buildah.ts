import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * buildah and podman for the image test: images built and run without a Docker engine
 * (`podman run` cannot set rlimits or cgroups here; `buildah run --isolation chroot`
 * can). Every container runs on the host network, so 127.0.0.1 is the host's loopback.
 */

export const INSTALL_HINT = 'install them with `apt-get install buildah podman debootstrap` (.ci/run does)';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; `timeoutMs` bounds it. */
export function sh(command: string, args: string[], timeoutMs = 300_000): Run {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${command} ${args.join(' ')}: ${r.error.message}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Like `sh`, but async (the event loop keeps serving loopback servers) and fails on a non-zero exit. */
export function exec(command: string, args: string[], timeoutMs = 600_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve({ code, stdout, stderr });
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${(stderr || stdout).slice(-4000)}`));
    });
  });
}

/** The tools the test needs, or what is missing and how to get it. */
export function missingTools(): string | undefined {
  const missing = ['buildah', 'podman', 'debootstrap'].filter((t) => sh('sh', ['-c', `command -v ${t}`]).code !== 0);
  if (missing.length > 0) return `${missing.join(', ')} not found: ${INSTALL_HINT}.`;
  if (process.getuid?.() !== 0) return 'building images with buildah and debootstrap needs root.';
  return undefined;
}

export interface Container {
  name: string;
  image: string;
}

/** A working container of `image` (no registry is asked). */
export async function fromImage(image: string): Promise<Container> {
  const name = `rdc-test-${randomBytes(4).toString('hex')}`;
  await exec('buildah', ['from', '--pull-never', '--name', name, image]);
  return { name, image };
}

export interface RunOptions {
  env?: Record<string, string>;
  /** host folder mounted at /data */
  data?: string;
}

function runArgs(c: Container, command: string[], o: RunOptions): string[] {
  const env = Object.entries(o.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const volume = o.data ? ['-v', `${o.data}:/data`] : [];
  return ['run', '--isolation', 'chroot', '--network', 'host', ...volume, ...env, c.name, '--', ...command];
}

/** Runs `command` in the container to completion. */
export function runIn(c: Container, command: string[], o: RunOptions = {}, timeoutMs = 120_000): Run {
  return sh('buildah', runArgs(c, command, o), timeoutMs);
}

export interface Started {
  child: ChildProcess;
  output: () => string;
  /** SIGTERM to the whole process group (buildah and the container's process), then SIGKILL. */
  stop: () => Promise<number | null>;
}

/** Starts `command` in the container and leaves it running. */
export function startIn(c: Container, command: string[], o: RunOptions = {}): Started {
  const child = spawn('buildah', runArgs(c, command, o), { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString('utf8')));
  const signal = (s: NodeJS.Signals): void => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, s);
    } catch {
      // gone
    }
  };
  const stop = (): Promise<number | null> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
      const timer = setTimeout(() => signal('SIGKILL'), 15_000);
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
      signal('SIGTERM');
    });
  return { child, output: () => output, stop };
}

/** The image's config: user, entry point and command, size in bytes. */
export function inspectImage(image: string): { user: string; entrypoint: string[]; cmd: string[]; size: number } {
  const config = JSON.parse(sh('buildah', ['inspect', '--type', 'image', image]).stdout) as {
    OCIv1: { config?: { User?: string; Entrypoint?: string[] | null; Cmd?: string[] | null } };
  };
  const size = Number(sh('podman', ['image', 'inspect', '--format', '{{.Size}}', image]).stdout.trim());
  const c = config.OCIv1.config ?? {};
  return { user: c.User ?? '', entrypoint: c.Entrypoint ?? [], cmd: c.Cmd ?? [], size };
}
