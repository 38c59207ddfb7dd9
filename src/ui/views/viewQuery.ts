/** Filter, sort and dangling-image toggle for the views. */
import * as vscode from 'vscode';
import { SORT_KEYS, type SortKey } from '../../core/tree/query';
import type { NodeTreeProvider } from '../shared/nodeTreeProvider';
import type { CommandContext } from '../shared/context';

type ViewName = 'images' | 'containers' | 'volumes';

const sortLabels: Record<SortKey, string> = { name: 'Name', created: 'Created (newest first)', size: 'Size (largest first)' };

/** "Filter...": match on name, image, tag or label (`key=value`); an argument string sets it without asking. */
export function filterView(view: ViewName) {
  return async (ctx: CommandContext, arg?: unknown): Promise<void> => {
    const provider: NodeTreeProvider = ctx.views[view];
    const text =
      typeof arg === 'string'
        ? arg
        : await vscode.window.showInputBox({
            title: `Filter ${provider.name}`,
            prompt: 'Matches names, images, tags and labels (key=value). Empty clears the filter.',
            value: provider.filter,
          });
    if (text === undefined) return;
    await provider.setQuery({ filter: text.trim() });
  };
}

export function clearViewFilter(view: ViewName) {
  return (ctx: CommandContext): Promise<void> => ctx.views[view].setQuery({ filter: '' });
}

export function sortView(view: ViewName) {
  return async (ctx: CommandContext, arg?: unknown): Promise<void> => {
    const provider = ctx.views[view];
    const key =
      typeof arg === 'string' && (SORT_KEYS as readonly string[]).includes(arg)
        ? (arg as SortKey)
        : (
            await vscode.window.showQuickPick(
              SORT_KEYS.map((k) => ({ label: sortLabels[k], key: k, description: k === provider.sort ? 'current' : undefined })),
              { title: `Sort ${provider.name}` },
            )
          )?.key;
    if (key) await provider.setQuery({ sort: key });
  };
}

export async function toggleDangling(ctx: CommandContext): Promise<boolean> {
  const next = !ctx.showDangling();
  await ctx.setShowDangling(next);
  await ctx.views.images.update();
  return next;
}
