/**
 * Why the Docker engine cannot be reached, in the four cases a person meets, and what to do in
 * each: Docker not installed, installed but not running, permission denied on its socket, and a
 * remote engine that does not answer. The views show the first three as welcome content (the
 * context key {@link ENGINE_STATE_CONTEXT}, package.json `viewsWelcome`) and the others as the
 * view's one message row.
 *
 * Plain Node: the facts about the machine come from {@link probeInstallation}, which only looks
 * at files (PATH, Docker Desktop's install folder, the CLI's context store).
 */
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

/** Context key the views' welcome content reads: an {@link EngineState}. */
export const ENGINE_STATE_CONTEXT = 'mlLab.engine.state';

/**
 * `ok` (the last listing worked), a case shown as welcome content, or `failed` (any other failure:
 * the view shows a message row).
 */
export type EngineState = 'ok' | 'notInstalled' | 'notRunning' | 'permission' | 'failed';

export type EngineProblemKind = 'notInstalled' | 'notRunning' | 'permission' | 'notAnswering' | 'remote';

/** A failed engine call, as far as the mapping needs it. */
export interface EngineFailure {
  /** the socket error's code (`ENOENT`, `ECONNREFUSED`, `EACCES`, ...), if any */
  code?: string;
  /** the call got no answer within its limit */
  timedOut?: boolean;
  /** that limit, in ms (for the message) */
  timeoutMs?: number;
  /** how the engine is reached: a local Unix socket (or Windows pipe), or TCP/SSH to another host */
  transport: 'socket' | 'tcp' | 'ssh';
  /** where, for messages: `unix:///var/run/docker.sock` */
  where: string;
  /** the message the engine layer gave (shown as is for a remote engine) */
  message: string;
}

/** What is on this machine of Docker (from {@link probeInstallation}). */
export interface InstallFacts {
  /** a `docker` (or `podman`) client on PATH */
  cli: boolean;
  /** a `dockerd` (or `podman`) on PATH */
  daemon: boolean;
  /** Docker Desktop's application is installed (macOS, Windows) */
  desktop: boolean;
  /** the Docker CLI's context store holds at least one context */
  contexts: boolean;
}

export interface EngineProblem {
  kind: EngineProblemKind;
  /** the view state: welcome content for the first three kinds, a message row (`failed`) for the others */
  state: EngineState;
  /** what is wrong, in one sentence */
  message: string;
  /** what to do next */
  todo: string;
  /** the page that tells more (install guides, the Linux post-install steps) */
  link?: string;
}

/** Docker's install guides (docs.docker.com), by platform. */
export const INSTALL_LINKS: Record<'linux' | 'darwin' | 'win32', string> = {
  linux: 'https://docs.docker.com/engine/install/',
  darwin: 'https://docs.docker.com/desktop/setup/install/mac-install/',
  win32: 'https://docs.docker.com/desktop/setup/install/windows-install/',
};

/** Docker's "Linux post-installation steps": the docker group. */
export const DOCKER_GROUP_LINK = 'https://docs.docker.com/engine/install/linux-postinstall/';

/**
 * Maps a failed engine call to its case and what to do.
 * - a remote engine (tcp://, ssh://) that does not answer: `remote`, with the engine layer's message;
 * - `EACCES` on the socket: `permission` (the docker group, then log in again);
 * - `ENOENT` (no socket) with nothing of Docker on the machine (no CLI, no daemon, no Docker Desktop,
 *   no context): `notInstalled`, with the platform's install guide;
 * - `ENOENT` with something installed, or `ECONNREFUSED` (a socket file nobody listens on):
 *   `notRunning`, with how to start it on this platform;
 * - a local engine that did not answer in time: `notAnswering` (it runs but hangs or is overloaded).
 * @returns undefined for failures that are not about reaching the engine (an HTTP error, a bug)
 */
export function engineProblem(f: EngineFailure, installed: InstallFacts, platform: NodeJS.Platform): EngineProblem | undefined {
  if (f.transport !== 'socket') {
    if (!f.timedOut && !f.code) return undefined;
    return {
      kind: 'remote',
      state: 'failed',
      message: f.message,
      todo: 'Check that the remote host is up and reachable from here (network, VPN) and that its Docker engine runs, then Retry; or switch to another engine in the Engines view.',
    };
  }
  const desktopPlatform = platform === 'darwin' || platform === 'win32';
  if (f.timedOut) {
    return {
      kind: 'notAnswering',
      state: 'failed',
      message: `The Docker engine at ${f.where} did not answer within ${f.timeoutMs ?? '?'} ms.`,
      todo: desktopPlatform
        ? 'It may be starting or overloaded: wait a moment, or restart Docker Desktop, then Retry; raise mlLab.engine.timeoutMs if it is just slow.'
        : 'It may be starting or overloaded: wait a moment, or restart it (`sudo systemctl restart docker`), then Retry; raise mlLab.engine.timeoutMs if it is just slow.',
    };
  }
  if (f.code === 'EACCES' || f.code === 'EPERM') {
    return {
      kind: 'permission',
      state: 'permission',
      message: `Permission denied on the Docker socket ${f.where}: your user may not use the engine.`,
      todo: desktopPlatform
        ? 'Restart Docker Desktop (it sets the socket\'s permissions), or point mlLab.engine.dockerHost at an engine you may use, then Retry.'
        : 'Add your user to the docker group (`sudo usermod -aG docker $USER`), then log out and in again so that the group applies; or point mlLab.engine.dockerHost at an engine you may use.',
      ...(desktopPlatform ? {} : { link: DOCKER_GROUP_LINK }),
    };
  }
  const anything = installed.cli || installed.daemon || installed.desktop || installed.contexts;
  if (f.code === 'ENOENT' && !anything) {
    const link = INSTALL_LINKS[platform === 'darwin' || platform === 'win32' ? platform : 'linux'];
    return {
      kind: 'notInstalled',
      state: 'notInstalled',
      message: `Docker is not installed here: no engine socket at ${f.where}, no docker command and no Docker context.`,
      todo: platform === 'darwin'
        ? `Install Docker Desktop for Mac (${link}) and open it once; the views follow when it runs.`
        : platform === 'win32'
          ? `Install Docker Desktop for Windows (${link}) and open it once; the views follow when it runs.`
          : `Install Docker Engine (${link}; on Debian or Ubuntu \`sudo apt-get install docker.io\`) or Docker Desktop, and start it; the views follow when it runs.`,
      link,
    };
  }
  if (f.code === 'ENOENT' || f.code === 'ECONNREFUSED') {
    return {
      kind: 'notRunning',
      state: 'notRunning',
      message: `Docker is installed but its engine is not running: nothing answers at ${f.where} (${f.code}).`,
      todo: desktopPlatform
        ? 'Open Docker Desktop and wait until it says the engine is running; the views follow by themselves.'
        : 'Start it with `sudo systemctl start docker` (or open Docker Desktop); the views follow by themselves.',
    };
  }
  return undefined;
}

/**
 * Looks at what of Docker this machine has: a `docker`/`podman` client and a `dockerd` on PATH
 * (every Docker package puts its client on the default PATH; dockerd in /usr/sbin counts only when
 * PATH has it), Docker Desktop's application (macOS `/Applications/Docker.app`, Windows
 * `%ProgramFiles%\Docker\Docker`), and any context in the CLI's store (`<config dir>/contexts/meta`).
 * Never throws.
 * @param env the environment (PATH, ProgramFiles)
 * @param configDir the Docker CLI's config folder (`~/.docker`, or DOCKER_CONFIG)
 * @param exists file test (injected by tests)
 */
export function probeInstallation(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  configDir: string,
  exists: (p: string) => boolean = existsSync,
  list: (dir: string) => string[] = (d) => {
    try {
      return readdirSync(d);
    } catch {
      return [];
    }
  },
): InstallFacts {
  const sep = platform === 'win32' ? ';' : ':';
  const dirs = (env.PATH ?? env.Path ?? '').split(sep).filter(Boolean);
  const exe = platform === 'win32' ? '.exe' : '';
  const onPath = (name: string) => dirs.some((d) => exists(path.join(d, `${name}${exe}`)));
  const desktop = platform === 'darwin'
    ? exists('/Applications/Docker.app')
    : platform === 'win32'
      ? exists(path.win32.join(env.ProgramFiles ?? 'C:\\Program Files', 'Docker', 'Docker', 'Docker Desktop.exe'))
      : false;
  return {
    cli: onPath('docker') || onPath('podman'),
    daemon: onPath('dockerd') || onPath('podman'),
    desktop,
    contexts: list(path.join(configDir, 'contexts', 'meta')).length > 0,
  };
}
