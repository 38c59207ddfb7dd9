/**
 * Prune stopped containers, dangling images and unused volumes. Each asks first with what
 * will be removed and the space reclaimed, computed from the same lists the engine prunes.
 */
import * as vscode from 'vscode';
import { formatBytes } from '../../core/format';
import { countRemovedImages, describeReclaim, estimateImagePrune } from '../../core/prune';
import { usage } from '../../core/tree/models';
import { isBuiltinNetwork, networkUsage } from '../../core/network/networks';
import type { CommandContext } from './context';

const listed = (names: string[], max = 15) => names.slice(0, max).join('\n') + (names.length > max ? `\n… and ${names.length - max} more` : '');

/** @param space what is reclaimed, e.g. "about 12 MB" (undefined when unknown) */
async function confirm(what: string, names: string[], space: string | undefined, loss: string): Promise<boolean> {
  if (names.length === 0) {
    void vscode.window.showInformationMessage(`No ${what} to remove.`);
    return false;
  }
  const choice = await vscode.window.showWarningMessage(
    `Remove ${names.length} ${what}${space !== undefined ? ` and reclaim ${space}` : ''}?`,
    { modal: true, detail: `${loss}\n\n${listed(names)}` },
    'Remove',
  );
  return choice === 'Remove';
}

export async function pruneContainers(ctx: CommandContext): Promise<number> {
  const engine = ctx.session.get();
  const stopped = (await engine.listContainers({ size: true })).filter((c) => c.state === 'exited' || c.state === 'created' || c.state === 'dead');
  const bytes = stopped.reduce((s, c) => s + (c.sizeRw ?? 0), 0);
  if (!(await confirm('stopped containers', stopped.map((c) => `${c.name} (${c.image}, ${c.status})`), `about ${formatBytes(bytes)}`, 'Files they wrote outside volumes and bind mounts are lost.'))) return 0;
  const r = await engine.pruneContainers();
  ctx.views.containers.refresh();
  void vscode.window.showInformationMessage(`Removed ${r.removed.length} containers, reclaimed ${formatBytes(r.spaceReclaimed)}.`);
  return r.removed.length;
}

export async function pruneImages(ctx: CommandContext): Promise<number> {
  const engine = ctx.session.get();
  // Only the layers no other image uses are freed: /system/df's unique size, not the whole size.
  const estimate = estimateImagePrune(await engine.imageDiskUsage());
  const kept = estimate.inUse.length ? `\n${estimate.inUse.length} dangling image(s) used by containers are kept.` : '';
  const listedIds = estimate.images.map((i) => i.id);
  if (!(await confirm('dangling images', listedIds.map((id) => id.slice(7, 19)), describeReclaim(estimate), `Untagged images only; tagged images and the layers they use stay.${kept}`))) return 0;
  const r = await engine.pruneDanglingImages();
  ctx.views.images.refresh();
  const n = countRemovedImages(r.removed, listedIds);
  void vscode.window.showInformationMessage(`Removed ${n} dangling ${n === 1 ? 'image' : 'images'}, reclaimed ${formatBytes(r.spaceReclaimed)}.`);
  return n;
}

export async function pruneVolumes(ctx: CommandContext): Promise<number> {
  const engine = ctx.session.get();
  const used = usage(await engine.listContainers()).volumes;
  const unused = (await engine.listVolumes({ withSizes: true })).filter((v) => !used.has(v.name));
  const sizes = unused.map((v) => v.size);
  const bytes = sizes.every((s) => s !== undefined) ? sizes.reduce<number>((a, s) => a + (s ?? 0), 0) : undefined;
  if (!(await confirm('unused volumes', unused.map((v) => v.name), bytes === undefined ? undefined : `about ${formatBytes(bytes)}`, 'Every file in them is deleted: data sets, checkpoints or caches kept there cannot be recovered.'))) return 0;
  const r = await engine.pruneVolumes();
  ctx.views.volumes.refresh();
  void vscode.window.showInformationMessage(`Removed ${r.removed.length} volumes, reclaimed ${formatBytes(r.spaceReclaimed)}.`);
  return r.removed.length;
}

/** Prune networks (issue 13): user-defined networks no container is attached to; the confirmation lists them. */
export async function pruneNetworks(ctx: CommandContext): Promise<number> {
  const engine = ctx.session.get();
  const used = networkUsage(await engine.listContainers());
  const unused = (await engine.listNetworks()).filter((n) => !isBuiltinNetwork(n) && !used.has(n.name));
  if (!(await confirm('unused networks', unused.map((n) => `${n.name} (${[n.driver, ...n.subnets].join(', ')})`), undefined, 'Only networks no container is attached to; Docker\'s own networks stay.'))) return 0;
  const r = await engine.pruneNetworks();
  ctx.views.networks.refresh();
  void vscode.window.showInformationMessage(`Removed ${r.removed.length} networks.`);
  return r.removed.length;
}
