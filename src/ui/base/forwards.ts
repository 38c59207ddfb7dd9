/**
 * Opening a container's published port in the browser on any engine. Every "open"
 * goes through `openInBrowser`: the Containers view's port and app rows, Open Port in Browser,
 * URLs found in logs (Jupyter's token URL, Gradio, Streamlit...), Copy Jupyter Server URL.
 * - local engine: the URL as is;
 * - ssh:// engine: a forward of a free 127.0.0.1 port to the host port on the remote, over the
 *   engine's SSH connection, reused per target (src/core/forwards.ts, src/engine/forward.ts);
 * - tcp:// engine on another host: the remote host's address, said once per engine.
 * "ML Lab: Port Forwards" lists the open forwards, to open or close them.
 */
import * as vscode from 'vscode';
import { forwardTargetOf, forwardedUrl, isLoopbackOrAny, remoteHostUrl, type PortForward } from '../../core/forwards';
import type { EngineSession } from './session';
import { log } from './log';

/** Engines already told that their ports open on the remote host (once per engine per window). */
const toldTcp = new Set<string>();

/** Whether the current engine of `session` is on this machine (a socket, or TCP to loopback). */
export function engineIsLocal(session: EngineSession): boolean {
  const a = session.get().connection.address;
  return a.kind === 'socket' || (a.kind === 'tcp' && isLoopbackOrAny(a.host));
}

/**
 * The URL to open for `url` (as a container prints it, or a port row shows it) on the session's
 * engine; opens an SSH forward first when the engine is ssh://.
 * @throws EngineError when the forward cannot be opened (SSH down, nothing listens there)
 */
export async function browserUrl(session: EngineSession, url: string): Promise<string> {
  const engine = session.get();
  const a = engine.connection.address;
  if (a.kind === 'socket' || (a.kind === 'tcp' && isLoopbackOrAny(a.host))) return url;
  const name = session.name();
  if (a.kind === 'ssh') {
    const forward = await session.forwards.get(forwardTargetOf(url, name), (t) => engine.openPortForward(t.remoteHost, t.remotePort));
    log().info(`Port forward 127.0.0.1:${forward.localPort} -> ${forward.remoteHost}:${forward.remotePort} on ${name}`);
    return forwardedUrl(url, forward.localPort);
  }
  const remote = remoteHostUrl(url, a.host);
  if (!toldTcp.has(name)) {
    toldTcp.add(name);
    void vscode.window.showInformationMessage(
      `The engine "${name}" is reached over TCP, so its published ports are opened on ${a.host} directly (${new URL(remote).host}), not forwarded.`
      + ' A port published only on that machine\'s 127.0.0.1 cannot be reached from here: publish it on 0.0.0.0, or use an ssh:// engine, whose ports are forwarded.',
    );
  }
  return remote;
}

/** Opens `url` in the browser through `browserUrl`; returns the URL opened. */
export async function openInBrowser(session: EngineSession, url: string): Promise<string> {
  const target = await browserUrl(session, url);
  await vscode.env.openExternal(vscode.Uri.parse(target));
  return target;
}

const describeForward = (f: PortForward) => `127.0.0.1:${f.localPort} → ${f.remoteHost}:${f.remotePort} on ${f.engine}`;

/**
 * "ML Lab: Port Forwards": the open forwards; choosing one offers Open in Browser and Close,
 * "Close All" closes every one. Returns what was done, for tests.
 */
export async function showPortForwards(session: EngineSession): Promise<'none' | 'opened' | 'closed' | 'closedAll' | undefined> {
  const forwards = session.forwards.list();
  if (forwards.length === 0) {
    void vscode.window.showInformationMessage('No port forwards are open. Opening a published port of a container on an ssh:// engine (a port row of the Containers view, a URL in its logs) makes one.');
    return 'none';
  }
  type Item = vscode.QuickPickItem & { forward?: PortForward };
  const items: Item[] = [
    ...forwards.map((f) => ({ label: `$(plug) ${describeForward(f)}`, detail: `open since ${new Date(f.openedAt).toLocaleTimeString()}`, forward: f })),
    { label: '$(close-all) Close All Port Forwards' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Port Forwards', placeHolder: 'Choose a forward to open or close it' });
  if (!picked) return undefined;
  if (!picked.forward) {
    session.forwards.closeAll();
    void vscode.window.showInformationMessage(`Closed ${forwards.length} port forward${forwards.length === 1 ? '' : 's'}.`);
    return 'closedAll';
  }
  const f = picked.forward;
  const action = await vscode.window.showQuickPick(['Open in Browser', 'Close'], { title: describeForward(f) });
  if (action === 'Open in Browser') {
    await vscode.env.openExternal(vscode.Uri.parse(`http://127.0.0.1:${f.localPort}/`));
    return 'opened';
  }
  if (action === 'Close') {
    session.forwards.close(f.key);
    void vscode.window.showInformationMessage(`Closed the port forward ${describeForward(f)}.`);
    return 'closed';
  }
  return undefined;
}
