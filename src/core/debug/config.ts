/**
 * The `mlLab` debug configuration (launch.json): its own type name, so it never meets the Python
 * Debugger extension's `debugpy`/`python` types. VS Code talks to debugpy itself (debugpy's
 * adapter speaks the Debug Adapter Protocol), so no Python extension is needed.
 *   launch: `{"type": "mlLab", "request": "launch", "name": "Debug train", "profile": "train"}`:
 *     builds and runs the profile's container under debugpy, then attaches;
 *   attach: `{"type": "mlLab", "request": "attach", "name": "...", "container": "iris-train", "port": 5678}`:
 *     attaches to a container whose Python already listens with debugpy on container port `port`.
 * Both take `pathMappings` (replacing the derived ones) and `justMyCode` (default true, debugpy's).
 */
import { DEBUGPY_PORT } from './command';
import { checkPathMappings, type PathMapping } from './pathMappings';

export const DEBUG_TYPE = 'mlLab';

export interface MlLabDebugConfiguration {
  type: typeof DEBUG_TYPE;
  request: 'launch' | 'attach';
  name: string;
  /** launch: the run profile's name */
  profile?: string;
  /** attach: the container's name or id */
  container?: string;
  /** the container port debugpy listens on; default 5678 */
  port?: number;
  pathMappings?: PathMapping[];
  justMyCode?: boolean;
}

/** The launch configuration "ML Lab: Debug Profile..." writes for `profile`. */
export function launchConfiguration(profile: string): MlLabDebugConfiguration {
  return { type: DEBUG_TYPE, request: 'launch', name: `ML Lab: Debug ${profile}`, profile };
}

/** The attach configuration for a container whose Python listens with debugpy on `port`. */
export function attachConfiguration(container: string, port: number = DEBUGPY_PORT): MlLabDebugConfiguration {
  return { type: DEBUG_TYPE, request: 'attach', name: `ML Lab: Attach to ${container}`, container, port };
}

/**
 * Reads a configuration as launch.json holds it (after variable substitution).
 * @throws Error saying which field is wrong and what it should be
 */
export function checkDebugConfiguration(c: Record<string, unknown>): MlLabDebugConfiguration {
  const name = typeof c.name === 'string' ? c.name : 'ML Lab';
  const out: MlLabDebugConfiguration = { type: DEBUG_TYPE, request: c.request === 'attach' ? 'attach' : 'launch', name };
  if (c.request !== 'launch' && c.request !== 'attach') throw new Error(`"${name}": request must be "launch" (run a profile under the debugger) or "attach" (a running container).`);
  if (out.request === 'launch') {
    if (typeof c.profile !== 'string' || c.profile === '') throw new Error(`"${name}": "profile" must name a run profile of .vscode/mllab.yaml, e.g. "profile": "train".`);
    out.profile = c.profile;
  } else {
    if (typeof c.container !== 'string' || c.container === '') throw new Error(`"${name}": "container" must name a running container, e.g. "container": "iris-train".`);
    out.container = c.container;
  }
  if (c.port !== undefined) {
    if (typeof c.port !== 'number' || !Number.isInteger(c.port) || c.port < 1 || c.port > 65535) throw new Error(`"${name}": "port" must be the container port debugpy listens on (1-65535), e.g. ${DEBUGPY_PORT}.`);
    out.port = c.port;
  }
  if (c.pathMappings !== undefined) out.pathMappings = checkPathMappings(c.pathMappings);
  if (c.justMyCode !== undefined) {
    if (typeof c.justMyCode !== 'boolean') throw new Error(`"${name}": "justMyCode" must be true or false.`);
    out.justMyCode = c.justMyCode;
  }
  return out;
}
