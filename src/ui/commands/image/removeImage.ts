/**
 * "Remove Image...": asks first, naming the image. When containers were created from it, says
 * which and offers to remove them first (the engine refuses otherwise). Untagged parents stay
 * (noprune), so other builds keep their cache.
 */
import * as vscode from 'vscode';
import type { CommandContext } from '../context';
import { pickImage, refFromArg } from '../pick';

export async function removeImage(ctx: CommandContext, arg?: unknown): Promise<boolean> {
  const ref = refFromArg(arg, 'image') ?? (await pickImage(ctx, 'Remove Image'));
  if (!ref) return false;
  const engine = ctx.session.get();
  const image = await engine.inspectImage(ref);
  const users = (await engine.listContainers()).filter((c) => c.imageId === image.id);
  const otherTags = image.repoTags.filter((t) => t !== ref);
  if (users.length) {
    const choice = await vscode.window.showWarningMessage(
      `Image ${ref} is used by ${users.length === 1 ? 'container' : 'containers'} ${users.map((u) => u.name).join(', ')}.`,
      {
        modal: true,
        detail: `Remove ${users.length === 1 ? 'that container' : 'those containers'} first (running ones are stopped; files they wrote outside volumes are lost), then the image?`,
      },
      'Remove Containers and Image',
    );
    if (choice !== 'Remove Containers and Image') return false;
    for (const c of users) await engine.removeContainer(c.id, { force: true });
    ctx.views.containers.refresh();
  } else {
    const choice = await vscode.window.showWarningMessage(
      `Remove image ${ref}?`,
      {
        modal: true,
        detail: otherTags.length
          ? `Only the tag is removed: the image stays under ${otherTags.join(', ')}.`
          : 'The image and its layers that no other image uses are deleted; rebuilding takes as long as the first build.',
      },
      'Remove',
    );
    if (choice !== 'Remove') return false;
  }
  await engine.removeImage(ref);
  ctx.views.images.refresh();
  return true;
}
