/**
 * URLs that ML servers print when they start (Jupyter, TensorBoard, MLflow, Streamlit, Gradio,
 * Flask, uvicorn), rewritten from the container's address to the published host port, so the
 * user can open them. And durations for "exited with code 0 after 1m 12s".
 */
import * as net from 'node:net';

import type { PublishedPort as EnginePublishedPort } from '../engineTypes';

export type UrlKind = 'jupyter' | 'tensorboard' | 'mlflow' | 'streamlit' | 'gradio' | 'flask' | 'uvicorn' | 'other';

export interface DetectedUrl {
  /** The URL to open on this machine: `http://127.0.0.1:<host port>/<path>?<query>` (token kept). */
  url: string;
  kind: UrlKind;
  /** The URL as the container printed it. */
  containerUrl: string;
}

/** A published port: container port -> host port on a host IP (a `PortBinding`, or the engine's listing). */
export type PublishedPort = Pick<EnginePublishedPort, 'containerPort' | 'hostPort' | 'hostIp'>;

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g;
const URL_RE = /\bhttps?:\/\/[^\s'"<>`]+/g;

/** The kind of server from the line's wording (each tool's own startup message). */
function kindOf(line: string, u: URL, containerPort: number): UrlKind {
  if (/jupyter|ServerApp|NotebookApp|LabApp/i.test(line) || /^\/(lab|tree|notebooks?)\b/.test(u.pathname) || u.searchParams.has('token')) return 'jupyter';
  if (/TensorBoard/i.test(line)) return 'tensorboard';
  if (/mlflow/i.test(line)) return 'mlflow';
  if (/Running on (local|public) URL/i.test(line) || /gradio/i.test(line)) return 'gradio';
  if (/streamlit/i.test(line) || /^\s*(Local |Network |External )?URL:\s/.test(line)) return 'streamlit';
  if (/uvicorn/i.test(line)) return 'uvicorn';
  if (/^\s*\*\s*Running on /.test(line)) return 'flask';
  // gunicorn's "Listening at:" is how `mlflow server` (and `mlflow ui`) announce themselves on 5000.
  if (/Listening at:/.test(line) && containerPort === 5000) return 'mlflow';
  return 'other';
}

/** The container's own addresses: loopback, any, private (bridge) IPs and bare host names (container id). */
function isContainerLocal(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '0.0.0.0' || h === '::' || h === '::1') return true;
  if (net.isIPv4(h)) return /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(h);
  if (net.isIPv6(h)) return /^f[cd]/i.test(h) || /^fe80:/i.test(h);
  return !h.includes('.');
}

/**
 * Finds the server URLs in one log line and rewrites each to the published host port.
 *
 * A URL on a container address (localhost, 127.x, 0.0.0.0, a private IP such as the bridge
 * 172.17.0.2, or a bare host name such as the container id Jupyter prints) is rewritten to
 * `http(s)://<host IP>:<host port><path><query><hash>`: the host IP is the binding's, with
 * 0.0.0.0/empty shown as 127.0.0.1 and :: as [::1]; the path and query (Jupyter's token) are kept.
 * It is left out when its port is not published. URLs on public names (Gradio's share link
 * `https://x.gradio.live`) are returned unchanged; public IPs (Streamlit's "External URL") are
 * left out. ANSI colour codes are ignored. Lines with no URL (Flask's
 * "* Running on all addresses (0.0.0.0)") give []. Never throws.
 *
 * @param ports the container's published ports; a port without `hostPort` is not published.
 */
export function detectUrls(line: string, ports: PublishedPort[]): DetectedUrl[] {
  const clean = line.replace(ANSI, '');
  const out: DetectedUrl[] = [];
  for (const match of clean.matchAll(URL_RE)) {
    const raw = match[0].replace(/[.,;:)\]}>]+$/, '');
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      continue;
    }
    const containerPort = u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port);
    const kind = kindOf(clean, u, containerPort);
    const host = u.hostname;
    if (!isContainerLocal(host)) {
      const bare = host.replace(/^\[|\]$/g, '');
      if (!net.isIP(bare)) out.push({ url: raw, kind, containerUrl: raw });
      continue;
    }
    const published = ports.filter((p) => p.containerPort === containerPort && p.hostPort !== undefined);
    if (published.length === 0) continue;
    const binding = published.find((p) => !p.hostIp?.includes(':')) ?? published[0];
    let hostIp = binding.hostIp ?? '';
    if (hostIp === '' || hostIp === '0.0.0.0') hostIp = '127.0.0.1';
    else if (hostIp === '::') hostIp = '[::1]';
    else if (hostIp.includes(':')) hostIp = `[${hostIp}]`;
    // Path, query and fragment exactly as printed (the URL class would add a "/" to a bare host).
    const rest = /^https?:\/\/[^/?#]*(.*)$/i.exec(raw)?.[1] ?? '';
    const url = `${u.protocol}//${hostIp}:${binding.hostPort}${rest}`;
    if (!out.some((d) => d.url === url)) out.push({ url, kind, containerUrl: raw });
  }
  return out;
}

/**
 * Formats a duration for messages: "850ms" under a second, "45s", "1m 12s", "2h 3m", "3d 4h"
 * (two units at most; a zero second unit is dropped: "2m", "1h").
 * @param ms milliseconds; negative or non-finite gives "0s".
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '0s';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  const units: Array<[string, number]> = [
    ['d', Math.floor(s / 86400)],
    ['h', Math.floor(s / 3600) % 24],
    ['m', Math.floor(s / 60) % 60],
    ['s', s % 60],
  ];
  const first = units.findIndex(([, v]) => v > 0);
  const [u1, v1] = units[first];
  const next = units[first + 1];
  return next && next[1] > 0 ? `${v1}${u1} ${next[1]}${next[0]}` : `${v1}${u1}`;
}
