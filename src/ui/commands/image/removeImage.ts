/** "ML Lab: Remove Image...": asks first, naming the image; the untagged parents stay (noprune). */
import * as vscode from 'vscode';
import type { CommandContext } from '../context';
import { pickImage, refFromArg } from '../pick';

export async function removeImage(ctx: CommandContext, arg?: unknown): Promise<boolean> {
  const ref = refFromArg(arg, 'image') ?? (await pickImage(ctx, 'Remove Image'));
  if (!ref) return false;
  const choice = await vscode.window.showWarningMessage(
    `Remove image ${ref}?`,
    { modal: true, detail: 'The tag is removed; the image layers go too when no other tag or container uses them.' },
    'Remove',
  );
  if (choice !== 'Remove') return false;
  await ctx.session.get().removeImage(ref);
  ctx.views.images.refresh();
  return true;
}
