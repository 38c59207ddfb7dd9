/**
 * "ML Lab: Run Container...": pick an image, give port bindings (`4000:8080`, prefilled from
 * the image's EXPOSE) and volume mounts (`./artifacts:/usr/local/app/artifacts`; relative host
 * paths resolve against the workspace folder); the container runs detached, labelled as ours,
 * host ports bound to 127.0.0.1 unless the setting says otherwise, and its logs stream into a
 * terminal.
 */
import { chmodSync, mkdirSync, existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { parseMounts, type MountSpec } from '../../../core/run/mounts';
import { formatPortBinding, parsePortBindings, portsFromExposed, type PortBinding } from '../../../core/run/ports';
import { suggestContainerName } from '../../../core/run/createOptions';
import { UserError } from '../../../core/errors';
import { config } from '../../config';
import { log } from '../../log';
import type { CommandContext } from '../context';
import { pickImage, refFromArg } from '../pick';
import { openLogsTerminal } from './logsTerminal';

/** Programmatic arguments (tests, other commands); what is left out is asked for. */
export interface RunContainerArgs {
  image?: string;
  /** port bindings as typed: `4000:8080 127.0.0.1:8888:8888` */
  ports?: string;
  /** volume mounts as typed: `./artifacts:/usr/local/app/artifacts` */
  mounts?: string;
  name?: string;
  env?: Record<string, string>;
  /** merged over the `mlLab.run.labels` setting */
  labels?: Record<string, string>;
  /** open the logs terminal (default true) */
  showLogs?: boolean;
}

function workspaceFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

/** Parses with `parse`, turning its error into a validation message for an input box. */
function validator<T>(parse: (text: string) => T): (text: string) => string | undefined {
  return (text) => {
    try {
      parse(text);
      return undefined;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  };
}

export async function runContainer(ctx: CommandContext, arg?: unknown): Promise<{ id: string; name: string } | undefined> {
  const args: RunContainerArgs =
    arg && typeof arg === 'object' && !('kind' in arg) ? (arg as RunContainerArgs) : { image: refFromArg(arg, 'image') };
  const engine = ctx.session.get();
  const image = args.image ?? (await pickImage(ctx, 'Run Container: image'));
  if (!image) return undefined;
  const details = await engine.inspectImage(image);
  const folder = workspaceFolder();

  let portsText = args.ports;
  if (portsText === undefined) {
    portsText = await vscode.window.showInputBox({
      title: `Run ${image}: port bindings`,
      prompt: 'host-port:container-port, separated by spaces (e.g. 4000:8080). Empty for none.',
      value: portsFromExposed(details.exposedPorts).map(formatPortBinding).join(' '),
      validateInput: validator(parsePortBindings),
    });
    if (portsText === undefined) return undefined;
  }
  const ports: PortBinding[] = parsePortBindings(portsText);

  let mountsText = args.mounts;
  if (mountsText === undefined) {
    const workdir = details.workingDir || '/usr/local/app';
    mountsText = await vscode.window.showInputBox({
      title: `Run ${image}: volume mounts`,
      prompt: `host-path:container-path[:ro], separated by spaces; relative host paths are in the workspace folder. Empty for none.`,
      placeHolder: `./artifacts:${workdir.replace(/\/$/, '')}/artifacts`,
      value: '',
      validateInput: validator((t) => parseMounts(t, folder)),
    });
    if (mountsText === undefined) return undefined;
  }
  const mounts: MountSpec[] = parseMounts(mountsText, folder);
  ensureBindSources(mounts, details.user);

  const name = args.name ?? suggestContainerName(image);
  const { id, name: actualName } = await engine.runContainer({
    image,
    name,
    ports,
    mounts,
    env: args.env,
    labels: { ...config.runLabels(), ...(args.labels ?? {}) },
    bindAddress: config.bindAddress(),
  });
  log().info(`Started container ${actualName} (${id.slice(0, 12)}) from ${image}`);
  ctx.views.containers.refresh();
  if (args.showLogs !== false) openLogsTerminal(ctx, id, actualName);
  return { id, name: actualName };
}

/**
 * Creates missing bind-mount host folders. The Engine API refuses a bind mount whose source
 * does not exist (the CLI's `-v` would create it owned by root); a training run's artifacts
 * folder is the common case. When VS Code runs as root (a container or a lab server) and the
 * image runs as a non-root user, the folder we create is made writable for that user (0777),
 * or the training script could not write its artifacts.
 */
function ensureBindSources(mounts: MountSpec[], imageUser: string): void {
  const rootHostNonRootImage = process.getuid?.() === 0 && !['', 'root', '0', '0:0'].includes(imageUser);
  for (const m of mounts) {
    if (m.type !== 'bind' || existsSync(m.source)) continue;
    try {
      mkdirSync(m.source, { recursive: true });
      if (rootHostNonRootImage) chmodSync(m.source, 0o777);
      log().info(`Created host folder ${m.source} for a bind mount${rootHostNonRootImage ? ' (writable for the image user)' : ''}`);
    } catch (err) {
      throw new UserError(`Cannot create the host folder ${m.source} for the bind mount: ${(err as Error).message}`, {
        hint: 'Create it yourself or choose another host path.',
      });
    }
  }
}
