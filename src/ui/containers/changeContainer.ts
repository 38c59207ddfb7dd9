/**
 * "Copy docker run Command", "Publish Port..." and "Mount Volume...". Docker cannot add a port
 * binding or a mount to an existing container, so the last two explain that and, after
 * confirmation, recreate the container with the same configuration plus the change; they first
 * offer to commit the container's filesystem changes to an image so nothing written outside
 * volumes is lost.
 */
import * as vscode from 'vscode';
import { runCommandFromInspect, type ImageDefaults } from '../../core/run/cliText';
import { parsePortBindings, type PortBinding } from '../../core/run/ports';
import { parseMounts, type MountSpec } from '../../core/run/mounts';
import { config } from '../base/config';
import type { CommandContext } from '../shared/context';
import { containerTarget } from '../shared/pick';
import { validator } from '../shared/validate';

/** Copies the `docker run` command equivalent to an existing container (image defaults left out). */
export async function copyRunCommand(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const c = await containerTarget(ctx, arg, 'Copy docker run Command');
  if (!c) return undefined;
  const engine = ctx.session.get();
  const inspect = await engine.inspectContainer(c.id);
  const imageRef = String((inspect.Config as { Image?: string } | undefined)?.Image ?? inspect.Image);
  const image = ((await engine.inspectImageRaw(imageRef).catch(() => ({}))) as { Config?: ImageDefaults }).Config ?? {};
  const text = runCommandFromInspect(inspect, image.Env ?? [], image);
  await vscode.env.clipboard.writeText(text);
  void vscode.window.showInformationMessage(`Copied the docker run command of ${c.name}.`);
  return text;
}

/** Programmatic arguments: the container, the change as typed, and the answers to the two questions. */
interface ChangeArgs {
  id?: string;
  ports?: string;
  mounts?: string;
  /** commit the container's filesystem first (default: ask) */
  commit?: boolean;
}

async function recreateWith(
  ctx: CommandContext,
  arg: unknown,
  what: 'port' | 'mount',
  change: (given: ChangeArgs, name: string) => Promise<{ addPorts?: PortBinding[]; addMounts?: MountSpec[]; text: string } | undefined>,
): Promise<{ id: string; name: string } | undefined> {
  const given: ChangeArgs = arg && typeof arg === 'object' && !('kind' in arg) ? (arg as ChangeArgs) : {};
  const c = await containerTarget(ctx, given.id ? given.id : arg, what === 'port' ? 'Publish Port' : 'Mount Volume');
  if (!c) return undefined;
  const delta = await change(given, c.name);
  if (!delta) return undefined;
  let commit = given.commit;
  if (commit === undefined) {
    const withCommit = 'Commit Changes and Recreate';
    const without = 'Recreate Without Commit';
    const choice = await vscode.window.showWarningMessage(
      `Docker cannot add a ${what === 'port' ? 'port binding' : 'mount'} to an existing container: ${c.name} must be recreated with ${delta.text}.`,
      {
        modal: true,
        detail:
          'The new container keeps the name, image, command, environment, mounts and port bindings. Files written inside the container outside volumes and bind mounts are lost unless they are committed to an image first (the new container then runs from that image).',
      },
      withCommit,
      without,
    );
    if (!choice) return undefined;
    commit = choice === withCommit;
  }
  const repo = c.name.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-');
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Recreating ${c.name}` }, () =>
    ctx.session.get().recreateContainer(
      c.id,
      { addPorts: delta.addPorts, addMounts: delta.addMounts, defaultHostIp: config.bindAddress() },
      commit ? { commitAs: { repo: `${repo}-snapshot`, tag: new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').toLowerCase() } } : {},
    ),
  );
  ctx.views.containers.refresh();
  if (result.snapshotImage) ctx.views.images.refresh();
  void vscode.window.showInformationMessage(`Recreated ${result.name} with ${delta.text}${result.snapshotImage ? ` from ${result.snapshotImage}` : ''}.`);
  return { id: result.id, name: result.name };
}

export function publishPort(ctx: CommandContext, arg?: unknown) {
  return recreateWith(ctx, arg, 'port', async (given, name) => {
    const text =
      given.ports ??
      (await vscode.window.showInputBox({
        title: `Publish Port on ${name}`,
        prompt: 'host-port:container-port, e.g. 4000:8080',
        validateInput: validator(parsePortBindings, 'Give at least one port binding, e.g. 4000:8080'),
      }));
    if (!text) return undefined;
    return { addPorts: parsePortBindings(text), text: `port binding ${text.trim()}` };
  });
}

export function mountVolume(ctx: CommandContext, arg?: unknown) {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return recreateWith(ctx, arg, 'mount', async (given, name) => {
    const text =
      given.mounts ??
      (await vscode.window.showInputBox({
        title: `Mount Volume on ${name}`,
        prompt: 'host-path:container-path[:ro] or volume-name:container-path, e.g. ./data:/data:ro',
        validateInput: validator((t) => parseMounts(t, folder), 'Give at least one mount, e.g. ./data:/data:ro'),
      }));
    if (!text) return undefined;
    return { addMounts: parseMounts(text, folder), text: `mount ${text.trim()}` };
  });
}
