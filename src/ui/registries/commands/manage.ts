/** "Add Registry..." (to the mlLab.registries setting) and "Copy Reference" of a repository or tag in the Registries view. */
import * as vscode from 'vscode';
import { UserError } from '../../../core/errors';
import { SettingIds } from '../../../core/ids';
import { normalizeRegistryHost, validateRegistry } from '../../../core/registry/reference';
import type { RegistryNode } from '../../../core/registry/tree';
import type { CommandContext } from '../../shared/context';

export async function addRegistry(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const given = typeof arg === 'string' ? arg : undefined;
  const host =
    given ??
    (await vscode.window.showInputBox({
      title: 'Add Registry',
      prompt: 'Registry host[:port] to list in the Registries view, e.g. 127.0.0.1:5000',
      validateInput: (v) => validateRegistry(v),
    }));
  if (!host) return undefined;
  const problem = validateRegistry(host);
  if (problem) throw new UserError(`Registry "${host}": ${problem}`);
  const registry = normalizeRegistryHost(host);
  const config = vscode.workspace.getConfiguration();
  const current = config.get<string[]>(SettingIds.registries) ?? [];
  if (!current.map(normalizeRegistryHost).includes(registry)) await config.update(SettingIds.registries, [...current, registry], vscode.ConfigurationTarget.Global);
  ctx.registries.view.refresh();
  return registry;
}

export async function copyRegistryReference(_ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const node = arg as Partial<RegistryNode> | undefined;
  const ref = typeof arg === 'string' ? arg : node?.ref;
  if (!ref) throw new UserError('Copy Reference works on a repository or tag in the Registries view.');
  await vscode.env.clipboard.writeText(ref);
  void vscode.window.showInformationMessage(`Copied ${ref}.`);
  return ref;
}
