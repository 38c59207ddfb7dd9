/**
 * "ML Lab: Debug Profile..." writes the profile's `mlLab` launch configuration into launch.json
 * (replacing one of the same name) and starts it; F5 runs it again. "ML Lab: Attach Debugger to
 * Container..." (also on a running container's row) attaches to a Python that already listens
 * with debugpy.
 */
import * as vscode from 'vscode';
import { UserError } from '../../core/errors';
import { DEBUG_PORT_LABEL, DEBUGPY_PORT } from '../../core/debug/command';
import { attachConfiguration, launchConfiguration, type MlLabDebugConfiguration } from '../../core/debug/config';
import type { CommandContext } from '../shared/context';
import { containerTarget } from '../shared/pick';
import { pickProfile } from '../profiles/profiles';

function workspaceFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new UserError('Open a folder first: debug configurations live in its .vscode/launch.json.');
  return folder;
}

/** Puts `config` into launch.json's configurations, replacing one of the same name. */
async function writeLaunchConfiguration(folder: vscode.WorkspaceFolder, config: MlLabDebugConfiguration): Promise<void> {
  const launch = vscode.workspace.getConfiguration('launch', folder.uri);
  const existing = launch.get<Array<{ name?: string }>>('configurations') ?? [];
  const same = existing.find((c) => c.name === config.name);
  const merged = same ? existing.map((c) => (c === same ? { ...same, ...config } : c)) : [...existing, config];
  await launch.update('configurations', merged, vscode.ConfigurationTarget.WorkspaceFolder);
}

/**
 * "Debug Profile...": the profile (by name, `{profile}`, or picked), its launch configuration
 * written to launch.json, then started (`{start: false}` only writes it).
 * @returns the configuration's name, undefined when cancelled
 */
export async function debugProfile(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const picked = await pickProfile(ctx, arg, 'Debug Profile');
  if (!picked) return undefined;
  const folder = workspaceFolder();
  const config = launchConfiguration(picked.profile.name);
  await writeLaunchConfiguration(folder, config);
  const start = !(arg && typeof arg === 'object' && (arg as { start?: boolean }).start === false);
  if (start) await vscode.debug.startDebugging(folder, config.name);
  return config.name;
}

/**
 * "Attach Debugger to Container...": a running container (row or picked) whose Python listens
 * with debugpy on a published container port: a debug run's own port, else the one published
 * port, else asked among them (5678 first).
 * @returns whether a session started
 */
export async function attachDebugger(ctx: CommandContext, arg?: unknown): Promise<boolean> {
  const c = await containerTarget(ctx, arg, 'Attach Debugger to Container', ['running']);
  if (!c) return false;
  const folder = workspaceFolder();
  const summary = (await ctx.session.get().listContainers()).find((x) => x.id === c.id);
  const tcp = [...new Set((summary?.ports ?? []).filter((p) => p.protocol === 'tcp' && p.hostPort).map((p) => p.containerPort))];
  const labelled = Number(summary?.labels[DEBUG_PORT_LABEL]);
  let port: number | undefined = tcp.includes(labelled) ? labelled : tcp.length === 1 ? tcp[0] : undefined;
  if (port === undefined) {
    if (tcp.length === 0) {
      throw new UserError(`${c.name} publishes no port, so the debugger cannot reach debugpy in it.`, {
        hint: `Start its Python with "python -m debugpy --listen 0.0.0.0:${DEBUGPY_PORT} ..." and publish ${DEBUGPY_PORT} on 127.0.0.1 (-p 127.0.0.1::${DEBUGPY_PORT}), or use "ML Lab: Debug Profile...".`,
      });
    }
    const sorted = [...tcp].sort((a, b) => (a === DEBUGPY_PORT ? -1 : b === DEBUGPY_PORT ? 1 : a - b));
    const pick = await vscode.window.showQuickPick(sorted.map((p) => ({ label: String(p), description: p === DEBUGPY_PORT ? "debugpy's default" : undefined })), {
      title: `Attach Debugger to ${c.name}`,
      placeHolder: 'The container port debugpy listens on',
    });
    if (!pick) return false;
    port = Number(pick.label);
  }
  return vscode.debug.startDebugging(folder, attachConfiguration(c.name, port) as unknown as vscode.DebugConfiguration);
}
