/** Pickers shared by commands: which image or container a command acts on. */
import * as vscode from 'vscode';
import type { NodeModel } from '../../core/tree/models';
import type { ContainerSummary, ContainerState } from '../../core/engineTypes';
import type { CommandContext } from './context';
import { UserError } from '../../core/errors';

/** The reference a command argument stands for: a tree node's ref, a string, or `{image}`/`{id}`. */
export function refFromArg(arg: unknown, key: 'image' | 'id' | 'name'): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object') {
    const o = arg as Partial<NodeModel> & Record<string, unknown>;
    if (typeof o.kind === 'string') {
      const wanted = { image: ['image', 'containerImage'], id: ['container'], name: ['volume'] }[key];
      return wanted.includes(o.kind) && typeof o.ref === 'string' ? o.ref : undefined;
    }
    if (typeof o[key] === 'string') return o[key] as string;
  }
  return undefined;
}

/** Asks for an image tag; undefined when the user cancels. Throws when there is no tagged image. */
export async function pickImage(ctx: CommandContext, title: string): Promise<string | undefined> {
  const images = await ctx.session.get().listImages();
  const tags = images.flatMap((i) => i.repoTags).sort();
  if (tags.length === 0) {
    void vscode.window.showInformationMessage('The Docker engine has no tagged images yet. Build one first with "ML Lab: Build Image...".');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    tags.map((t) => ({ label: t })),
    { title, placeHolder: 'Image (repository:tag)', matchOnDescription: true },
  );
  return picked?.label;
}

/** A container a command acts on: the engine's row when it is listed, else just the id given. */
export type ContainerTarget = ContainerSummary | { id: string; name: string; state?: undefined; ports?: undefined };

/**
 * The container a command acts on: from a tree node, `{id}` or an id/name string (looked up in
 * one list call), or asked with a picker among `states`. Undefined when the user cancels.
 */
export async function containerTarget(ctx: CommandContext, arg: unknown, title: string, states?: ContainerState[]): Promise<ContainerTarget | undefined> {
  const id = refFromArg(arg, 'id');
  if (id) {
    const c = (await ctx.session.get().listContainers()).find((x) => x.id === id || x.name === id || x.id.startsWith(id));
    if (c) return c;
    // A row of the Containers view whose container was removed since: say so, act on nothing else.
    const row = arg as Partial<NodeModel>;
    if (row.kind === 'container') throw new UserError(`Container ${row.label ?? id} no longer exists.`, { hint: 'It was removed after the view listed it; nothing was done.' });
    return { id, name: id };
  }
  return pickContainer(ctx, title, states);
}

/**
 * Asks for a container among those in `states` (all when omitted). No item starts active, so
 * Enter alone picks nothing: these commands change a container's state, and a list whose first
 * item is preselected invites acting on whichever container happens to be listed first.
 */
export async function pickContainer(ctx: CommandContext, title: string, states?: ContainerState[]): Promise<ContainerSummary | undefined> {
  const all = await ctx.session.get().listContainers();
  const candidates = states ? all.filter((c) => states.includes(c.state)) : all;
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(`No container to act on${states ? ` (${states.join(' or ')})` : ''}.`);
    return undefined;
  }
  const items = candidates.map((c) => ({ label: c.name, description: `${c.image} · ${c.status}`, container: c }));
  return (await pickWithoutDefault(items, title, 'Container: type a name or use the arrow keys'))?.container;
}

/** A quick pick with no item active at first; resolves to the accepted item, undefined when cancelled. */
async function pickWithoutDefault<T extends vscode.QuickPickItem>(items: T[], title: string, placeholder: string): Promise<T | undefined> {
  const qp = vscode.window.createQuickPick<T>();
  qp.title = title;
  qp.placeholder = placeholder;
  qp.items = items;
  qp.activeItems = [];
  try {
    return await new Promise<T | undefined>((resolve) => {
      qp.onDidAccept(() => {
        const chosen = qp.selectedItems[0] ?? qp.activeItems[0];
        if (chosen) resolve(chosen); // Enter with nothing active: keep the picker open
      });
      qp.onDidHide(() => resolve(undefined));
      qp.show();
    });
  } finally {
    qp.dispose();
  }
}
