/**
 * Podman as a Docker-compatible engine for the engine tests: Debian's podman 4.3
 * serving the Docker API with `podman system service --time=0 unix://<sock>`, with its own
 * storage (`--root`, `--runroot`, `--tmpdir` in a temp folder), so it shares nothing with any
 * other Podman user of this machine and `stop()` removes everything it held.
 * It cannot start containers on these machines (the sandbox refuses setrlimit:
 * ../../../shared/environment.md); everything else works. scripts/setup/remote.sh installs it.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface PodmanEngine {
  /** `unix://<dir>/podman.sock` */
  readonly unixHost: string;
  readonly socketPath: string;
  /** copies an image from the machine's Docker engine; returns the name Podman lists it under (`localhost/<repo>:<tag>`) */
  loadImage(ref: string): string;
  stop(): Promise<void>;
}

/** Whether podman is installed (scripts/setup/remote.sh). */
export const havePodman = (): boolean => spawnSync('podman', ['--version']).status === 0;

/** Starts `podman system service` on a socket of its own; throws with its log when it does not answer within 30 s. */
export async function startPodman(): Promise<PodmanEngine> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mllab-podman-'));
  const socketPath = path.join(dir, 'podman.sock');
  const store = ['--root', path.join(dir, 'root'), '--runroot', path.join(dir, 'run'), '--tmpdir', path.join(dir, 'tmp')];
  const logFile = path.join(dir, 'service.log');
  const child = spawn('sh', ['-c', `exec podman "$@" >"${logFile}" 2>&1`, 'sh', ...store, 'system', 'service', '--time=0', `unix://${socketPath}`], { stdio: 'ignore' });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { child.kill('SIGKILL'); resolve(); }, 10_000);
        child.once('exit', () => { clearTimeout(t); resolve(); });
      });
    }
    // Podman's overlay storage leaves mounts under its root; unmount before deleting.
    spawnSync('podman', [...store, 'system', 'reset', '--force'], { stdio: 'ignore', timeout: 60_000 });
    const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1]).filter((m) => m?.startsWith(dir)).reverse();
    for (const m of mounts) spawnSync('umount', ['-l', m]);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (!(existsSync(socketPath) && spawnSync('docker', ['-H', `unix://${socketPath}`, 'version'], { timeout: 5000 }).status === 0)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
      await stop();
      throw new Error(`podman system service did not answer on ${socketPath}: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    unixHost: `unix://${socketPath}`,
    socketPath,
    loadImage: (ref) => {
      const image = execFileSync('docker', ['save', ref], { maxBuffer: 4 << 30 });
      const out = execFileSync('docker', ['-H', `unix://${socketPath}`, 'load'], { input: image, encoding: 'utf8' });
      // "Loaded image: localhost/mllab-test/busybox:1"
      const m = /Loaded image(?:\(s\))?: (\S+)/.exec(out);
      if (!m) throw new Error(`podman load of ${ref} said: ${out}`);
      return m[1];
    },
    stop,
  };
}
