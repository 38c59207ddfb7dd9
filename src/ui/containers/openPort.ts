/**
 * "Open in Browser": opens a published port's URL; from a port row (its URL) or a container (pick
 * a port). On a remote engine through a port forward (ssh://) or at the remote host (tcp://): ../../forwards.ts.
 */
import * as vscode from 'vscode';
import { portUrl, publishedPorts, formatPublishedPort } from '../../core/tree/models';
import type { CommandContext } from '../shared/context';
import { containerTarget } from '../shared/pick';
import { openInBrowser } from '../base/forwards';

export async function openContainerPort(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  let url = typeof arg === 'string' && /^https?:\/\//.test(arg) ? arg : undefined;
  if (!url) {
    const t = await containerTarget(ctx, arg, 'Open Port in Browser', ['running']);
    if (!t) return undefined;
    const ports = publishedPorts(t.ports ?? []).filter((p) => portUrl(p));
    if (ports.length === 0) {
      void vscode.window.showInformationMessage(`${t.name} publishes no TCP port. Run it again with a port binding such as 4000:8080.`);
      return undefined;
    }
    const picked =
      ports.length === 1
        ? ports[0]
        : (await vscode.window.showQuickPick(ports.map((p) => ({ label: formatPublishedPort(p), port: p })), { title: 'Open Port in Browser' }))?.port;
    if (!picked) return undefined;
    url = portUrl(picked)!;
  }
  return openInBrowser(ctx.session, url);
}
