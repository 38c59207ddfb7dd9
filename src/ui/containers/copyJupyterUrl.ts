/**
 * "ML Lab: Copy Jupyter Server URL": the URL with its token (`http://127.0.0.1:<host port>/?token=...`)
 * of a Jupyter app that answered its health check, for VS Code's notebook kernel picker
 * ("Select Kernel" > "Existing Jupyter Server"). From an app row, or the palette (picks one).
 */
import * as vscode from 'vscode';
import { UserError } from '../../core/errors';
import type { NodeModel } from '../../core/tree/models';
import type { CommandContext } from '../shared/context';
import { browserUrl } from '../base/forwards';

export async function copyJupyterServerUrl(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const jupyters = ctx.apps.all().filter((r) => r.app.kind === 'jupyter' && r.serverUrl);
  const node = arg as Partial<NodeModel> | undefined;
  let picked = node?.kind === 'app' ? jupyters.find((r) => r.url === node.ref) : undefined;
  if (!picked) {
    if (jupyters.length === 0) {
      throw new UserError(
        'No Jupyter server is running and answering. Run a Jupyter image with port 8888 published (e.g. 8888:8888), wait for its row under the container in the Containers view, then copy again.',
      );
    }
    picked =
      jupyters.length === 1
        ? jupyters[0]
        : (
            await vscode.window.showQuickPick(
              jupyters.map((r) => ({ label: `${r.app.name} on host port ${r.app.hostPort}`, description: r.app.containerId.slice(0, 12), r })),
              { title: 'Copy Jupyter Server URL' },
            )
          )?.r;
  }
  if (!picked?.serverUrl) return undefined;
  // on an ssh:// engine, the URL of a port forward to it
  const url = await browserUrl(ctx.session, picked.serverUrl);
  await vscode.env.clipboard.writeText(url);
  // The token is a credential: the message names the server, not the URL with its token.
  void vscode.window.showInformationMessage(
    `Copied the Jupyter server URL (${new URL(url).host}, with its token). In a notebook: Select Kernel > Existing Jupyter Server, then paste.`,
  );
  return url;
}
