/**
 * Apps in containers (JupyterLab, TensorBoard, MLflow, Streamlit, Gradio, or what a run profile
 * declares): which apps a container serves, on which published host port, and the URL that
 * opens each one (Jupyter's token included). Pure: the health checks are in ./monitor.ts.
 */
import type { ContainerSummary } from '../engineTypes';
import { detectUrls } from '../logs/urls';
import { publishedPorts } from '../tree/ports';

/** An app as a profile declares it (`apps: [{name: jupyter, port: 8888, path: /lab, health: /api}]`). */
export interface AppSpec {
  name: string;
  /** container port the app listens on */
  port: number;
  /** path opened in the browser, starting with "/" (default "/") */
  path: string;
  /** path answered with HTTP 2xx/3xx once the app is up, starting with "/" (default: `path`) */
  health: string;
}

export type AppKind = 'jupyter' | 'tensorboard' | 'mlflow' | 'streamlit' | 'gradio' | 'declared';

/** An app of one container, with the published host port that reaches it. */
export interface ContainerApp extends AppSpec {
  kind: AppKind;
  containerId: string;
  /** host port the container port is published on */
  hostPort: number;
  /** the address the health check and the URL use: always loopback */
  host: '127.0.0.1' | '[::1]';
}

/**
 * Label that carries a profile's `apps:` onto the containers it runs (JSON array of AppSpec),
 * so the Containers view knows them after a reload without reading the profile file again.
 */
export const APPS_LABEL = 'org.mllab.apps';

interface KnownApp {
  kind: Exclude<AppKind, 'declared'>;
  port: number;
  path: string;
  health: string;
  /** matched against the image's repository (tag left out) */
  image: RegExp;
  /** matched against the container's command */
  command: RegExp;
}

/**
 * Apps recognised without a declaration. Ports and paths are each tool's defaults: Jupyter
 * Server 8888 with its REST root `/api` (answers without a token; docker-stacks images start
 * JupyterLab at `/lab`); TensorBoard 6006; MLflow tracking server 5000 with `/health`;
 * Streamlit 8501 with `/_stcore/health`; Gradio 7860.
 */
export const KNOWN_APPS: readonly KnownApp[] = [
  { kind: 'jupyter', port: 8888, path: '/lab', health: '/api', image: /jupyter|-notebook$/i, command: /jupyter|start-notebook|start-singleuser/i },
  { kind: 'tensorboard', port: 6006, path: '/', health: '/', image: /tensorboard/i, command: /tensorboard/i },
  { kind: 'mlflow', port: 5000, path: '/', health: '/health', image: /mlflow/i, command: /mlflow\s+(server|ui)/i },
  { kind: 'streamlit', port: 8501, path: '/', health: '/_stcore/health', image: /streamlit/i, command: /streamlit\s+run/i },
  { kind: 'gradio', port: 7860, path: '/', health: '/', image: /gradio/i, command: /gradio/i },
];

/** Ports distinctive enough to recognise an app by themselves (5000 is Flask's default too, so MLflow needs its name). */
const PORT_ONLY = new Set([8888, 6006, 8501, 7860]);

/**
 * Reads the apps label (a JSON array of `{name, port, path?, health?}`). Entries that are not
 * such objects are left out; a label that is not JSON gives []. Never throws.
 */
export function parseAppsLabel(text: string | undefined): AppSpec[] {
  if (!text) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  const out: AppSpec[] = [];
  for (const r of raw as Array<Record<string, unknown>>) {
    if (typeof r !== 'object' || r === null || typeof r.name !== 'string' || !Number.isInteger(r.port)) continue;
    const p = typeof r.path === 'string' && r.path.startsWith('/') ? r.path : '/';
    const h = typeof r.health === 'string' && r.health.startsWith('/') ? r.health : p;
    out.push({ name: r.name, port: r.port as number, path: p, health: h });
  }
  return out;
}

/** The label value for declared apps (see APPS_LABEL). */
export function appsLabelValue(apps: AppSpec[]): string {
  return JSON.stringify(apps.map((a) => ({ name: a.name, port: a.port, path: a.path, health: a.health })));
}

function repositoryOf(image: string): string {
  const at = image.indexOf('@');
  const noDigest = at >= 0 ? image.slice(0, at) : image;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/**
 * The apps a container serves: those declared in its APPS_LABEL, then the known apps recognised
 * by image repository, command or distinctive container port (one app per container port; a
 * declaration wins). Only apps whose container port is published on a host port reachable on
 * loopback (binding 127.x, ::1, 0.0.0.0, :: or empty) are returned: nothing else is checked or opened.
 * Empty for a container that is not running.
 */
export function containerApps(c: ContainerSummary): ContainerApp[] {
  if (c.state !== 'running') return [];
  const ports = publishedPorts(c.ports).filter((p) => p.protocol === 'tcp' && p.hostPort !== undefined);
  const reach = (containerPort: number): Pick<ContainerApp, 'hostPort' | 'host'> | undefined => {
    const bindings = ports.filter((p) => p.containerPort === containerPort);
    const v4 = bindings.find((p) => !p.hostIp || p.hostIp === '0.0.0.0' || p.hostIp.startsWith('127.'));
    if (v4) return { hostPort: v4.hostPort!, host: '127.0.0.1' };
    const v6 = bindings.find((p) => p.hostIp === '::' || p.hostIp === '::1');
    return v6 ? { hostPort: v6.hostPort!, host: '[::1]' } : undefined;
  };
  const out: ContainerApp[] = [];
  for (const spec of parseAppsLabel(c.labels[APPS_LABEL])) {
    const r = reach(spec.port);
    const known = KNOWN_APPS.find((k) => k.kind === spec.name.toLowerCase());
    if (r && !out.some((a) => a.port === spec.port)) out.push({ ...spec, kind: known?.kind ?? 'declared', containerId: c.id, ...r });
  }
  const repo = repositoryOf(c.image);
  for (const k of KNOWN_APPS) {
    if (out.some((a) => a.port === k.port)) continue;
    const byName = k.image.test(repo) || k.command.test(c.command);
    if (!byName && !PORT_ONLY.has(k.port)) continue;
    const r = reach(k.port);
    if (r) out.push({ name: k.kind, port: k.port, path: k.path, health: k.health, kind: k.kind, containerId: c.id, ...r });
  }
  return out;
}

/** `http://127.0.0.1:<host port><health>`: what the health check GETs. */
export function healthUrl(app: ContainerApp): string {
  return `http://${app.host}:${app.hostPort}${app.health}`;
}

/**
 * The URL that opens the app: `http://127.0.0.1:<host port><path>`, with `?token=<token>` when
 * a Jupyter token is known.
 */
export function appUrl(app: ContainerApp, token?: string): string {
  const base = `http://${app.host}:${app.hostPort}${app.path}`;
  return token ? `${base}${base.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : base;
}

/**
 * The Jupyter server URL VS Code's kernel picker takes ("Existing Jupyter Server"):
 * `http://127.0.0.1:<host port>/?token=<token>` (the server root, not /lab).
 */
export function jupyterServerUrl(app: ContainerApp, token?: string): string {
  return appUrl({ ...app, path: '/' }, token);
}

/**
 * Jupyter's token from the container's logs: the last URL Jupyter printed for this app's
 * container port (`http://<container>:8888/lab?token=...`, found with detectUrls) that carries
 * a `token` query parameter. Undefined when none was printed (a server started without a token).
 */
export function jupyterToken(logText: string, app: ContainerApp): string | undefined {
  let token: string | undefined;
  const ports = [{ containerPort: app.port, hostPort: app.hostPort, hostIp: '127.0.0.1' }];
  for (const line of logText.split(/\r?\n/)) {
    for (const d of detectUrls(line, ports)) {
      const t = new URL(d.containerUrl).searchParams.get('token');
      if (d.kind === 'jupyter' && t) token = t;
    }
  }
  return token;
}
