/**
 * Commands chosen on a tree row, and what to say when VS Code delivers them without the row.
 *
 * A view's context menu runs its command with the row's handle, which the extension host turns
 * into our element (ExtHostTreeView `_convertArgument`, microsoft/vscode
 * src/vs/workbench/api/common/extHostTreeViews.ts). When that lookup fails — the row was removed,
 * or the view's root was refreshing at that moment — the command gets `undefined` as its first
 * argument. The command palette and keybindings without `args` pass no argument at all
 * (`executeCommand(id)`), so a command that appears only in row menus and gets a first argument of
 * `undefined`/`null` was chosen on a row that could not be found: it must not fall back to a
 * picker, whose first item Enter would accept.
 */

type Menus = Record<string, ReadonlyArray<{ command: string }>>;

/**
 * Commands that appear in `view/item/context` and in no other menu that passes an argument
 * (`view/title` passes the focused row, or `undefined` when none is focused).
 *
 * @param menus `contributes.menus` of package.json
 */
export function rowOnlyCommands(menus: Menus): Set<string> {
  const onRows = new Set((menus['view/item/context'] ?? []).map((i) => i.command));
  for (const [menu, items] of Object.entries(menus)) {
    if (menu === 'view/item/context' || menu === 'commandPalette') continue;
    for (const i of items) onRows.delete(i.command);
  }
  return onRows;
}

/** Whether a row-only command's arguments say its row could not be found (see the module comment). */
export function rowWasLost(args: readonly unknown[]): boolean {
  return args.length > 0 && (args[0] === undefined || args[0] === null);
}

const viewOf: Record<string, string> = { container: 'Containers', file: 'Containers', image: 'Images', volume: 'Volumes', network: 'Networks', registry: 'Registries' };

/**
 * The message for a row-only command that lost its row, naming the view from the command id
 * (`mlLab.container.stop` -> Containers).
 */
export function lostRowMessage(commandId: string): { message: string; hint: string } {
  const view = viewOf[commandId.split('.')[1] ?? ''] ?? 'the';
  return {
    message: `Nothing was done: the row you chose is no longer in the ${view} view (it was removed, or the view was refreshing as you chose).`,
    hint: 'Right-click the row again.',
  };
}
