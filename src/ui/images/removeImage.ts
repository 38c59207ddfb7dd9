/**
 * "Remove Image...": asks first, naming the image. When containers were created from it, says
 * which and offers to remove them first (the engine refuses otherwise). Untagged parents stay
 * (noprune), so other builds keep their cache.
 */
import * as vscode from 'vscode';
import type { CommandContext } from '../shared/context';
import { pickImage, refFromArg } from '../shared/pick';
import { CommandIds } from '../../core/ids';
import { listForConfirmation, type BulkOutcome } from '../../core/bulk';
import { actOnEach, reportOutcome, selectedRows } from '../shared/bulk';

/**
 * Several selected images (tags or dangling ids): one confirmation naming each, and for an
 * image containers were created from, those containers (removed first, as the single-row
 * command offers). Each is then removed under one progress notification.
 */
async function removeImages(ctx: CommandContext, rows: unknown[]): Promise<BulkOutcome | undefined> {
  const refs = [...new Set(rows.map((r) => refFromArg(r, 'image')).filter((r): r is string => !!r))];
  const engine = ctx.session.get();
  const [images, containers] = await Promise.all([engine.listImages(), engine.listContainers()]);
  const idOf = (ref: string) => images.find((i) => i.id === ref || i.repoTags.includes(ref))?.id;
  const usersOf = (ref: string) => containers.filter((c) => c.imageId === idOf(ref));
  const lines = refs.map((ref) => {
    const users = usersOf(ref);
    const name = ref.startsWith('sha256:') ? `${ref.slice(7, 19)} (untagged)` : ref;
    return users.length ? `${name}: and the ${users.length === 1 ? 'container' : 'containers'} ${users.map((u) => u.name).join(', ')} created from it` : name;
  });
  const anyUsers = refs.some((r) => usersOf(r).length);
  const choice = await vscode.window.showWarningMessage(
    `Remove ${refs.length} images?`,
    {
      modal: true,
      detail: `${listForConfirmation(lines)}\n\nAn image's layers that no other image uses are deleted; rebuilding takes as long as the first build. A tag of an image that has other tags removes only that tag.${anyUsers ? ' The containers named are removed first (running ones are stopped; files they wrote outside volumes are lost).' : ''}`,
    },
    'Remove',
  );
  if (choice !== 'Remove') return undefined;
  const outcome = await actOnEach(`Remove ${refs.length} images`, refs, (r) => (r.startsWith('sha256:') ? r.slice(7, 19) : r), async (ref) => {
    for (const c of usersOf(ref)) await engine.removeContainer(c.id, { force: true });
    await engine.removeImage(ref);
  });
  if (anyUsers) ctx.views.containers.refresh();
  ctx.views.images.refresh();
  return reportOutcome(outcome, 'Removed', 'remove', ['image', 'images']);
}

export async function removeImage(ctx: CommandContext, arg?: unknown, selected?: unknown): Promise<boolean | BulkOutcome> {
  const rows = selectedRows(CommandIds.imageRemove, arg, selected);
  if (rows) return (await removeImages(ctx, rows)) ?? false;
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
