/**
 * Prune stopped containers, dangling images, unused volumes and networks, each alone or all
 * at once (Prune System). Each asks first with what will be removed and the space reclaimed,
 * computed from the same lists the engine prunes.
 */
import * as vscode from 'vscode';
import { formatBytes } from '../../core/format';
import { countRemovedImages, describePlanReclaim, describeReclaim, estimateImagePrune, planIsEmpty, planSystemPrune, runSystemPrune, type SystemPrunePlan, type SystemPruneResult } from '../../core/prune';
import { usage } from '../../core/tree/models';
import { isBuiltinNetwork, networkUsage } from '../../core/network/networks';
import type { CommandContext } from '../shared/context';

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

/** Prune networks: user-defined networks no container is attached to; the confirmation lists them. */
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

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The confirmation's text: one section per kind of object, each naming what goes and what it frees. */
function describePlan(p: SystemPrunePlan): string {
  const sections: string[] = [];
  if (p.containers.items.length)
    sections.push(`Stopped containers (${p.containers.items.length}, about ${formatBytes(p.containers.bytes)}): files they wrote outside volumes and bind mounts are lost.\n${listed(p.containers.items.map((c) => `${c.name} (${c.image}, ${c.status})`))}`);
  if (p.networks.items.length) sections.push(`Unused networks (${p.networks.items.length}):\n${listed(p.networks.items.map((n) => `${n.name} (${[n.driver, ...n.subnets].join(', ')})`))}`);
  if (p.images.images.length) {
    const kept = p.images.inUse.length ? ` ${plural(p.images.inUse.length, 'dangling image', 'dangling images')} used by running containers stay.` : '';
    sections.push(`Dangling images (${p.images.images.length}, ${describeReclaim(p.images)}): untagged images only; tagged images and the layers they use stay.${kept}\n${listed(p.images.images.map((i) => i.id.slice(7, 19)))}`);
  }
  if (p.volumes.items.length)
    sections.push(`Unused volumes (${p.volumes.items.length}${p.volumes.bytes !== undefined ? `, about ${formatBytes(p.volumes.bytes)}` : ''}): every file in them is deleted; data sets, checkpoints or caches kept there cannot be recovered.\n${listed(p.volumes.items.map((v) => v.name))}`);
  return sections.join('\n\n');
}

/**
 * "Prune System...": like `docker system prune` (`--volumes` when chosen): stopped containers,
 * unused networks, dangling images, and unused volumes when asked. One confirmation lists every
 * part with what it frees; the build cache and tagged images are left alone.
 * @param arg `{volumes: boolean}` answers the volumes question (code callers and tests)
 * @returns what was removed, or undefined when nothing was (cancelled, or nothing to prune)
 */
export async function pruneSystem(ctx: CommandContext, arg?: unknown): Promise<SystemPruneResult | undefined> {
  const given = arg && typeof arg === 'object' ? (arg as { volumes?: unknown }).volumes : undefined;
  const withVolumes =
    typeof given === 'boolean'
      ? given
      : (
          await vscode.window.showQuickPick(
            [
              { label: 'Containers, networks and dangling images', description: 'keeps volumes', value: false },
              { label: 'Also unused volumes', description: 'deletes the files in every volume no container uses', value: true },
            ],
            { title: 'Prune System: what to remove', placeHolder: 'Stopped containers, unused networks and dangling images go in both cases' },
          )
        )?.value;
  if (withVolumes === undefined) return undefined;
  const engine = ctx.session.get();
  const [containers, networks, images] = await Promise.all([engine.listContainers({ size: true }), engine.listNetworks(), engine.imageDiskUsage()]);
  // after the image sizes: both come from the engine's disk usage, which it computes one at a time
  const volumes = withVolumes ? await engine.listVolumes({ withSizes: true }) : [];
  const plan = planSystemPrune({ containers, networks, images, volumes, withVolumes });
  if (planIsEmpty(plan)) {
    void vscode.window.showInformationMessage(`Nothing to prune: no stopped container, unused network, dangling image${withVolumes ? ' or unused volume' : ''}.`);
    return undefined;
  }
  const counts = [
    plan.containers.items.length && plural(plan.containers.items.length, 'container', 'containers'),
    plan.networks.items.length && plural(plan.networks.items.length, 'network', 'networks'),
    plan.images.images.length && plural(plan.images.images.length, 'image', 'images'),
    plan.volumes.items.length && plural(plan.volumes.items.length, 'volume', 'volumes'),
  ].filter(Boolean);
  const choice = await vscode.window.showWarningMessage(`Remove ${counts.join(', ')} and reclaim ${describePlanReclaim(plan)}?`, { modal: true, detail: describePlan(plan) }, 'Remove');
  if (choice !== 'Remove') return undefined;
  const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Prune System' }, () => runSystemPrune(engine, { withVolumes }));
  for (const view of [ctx.views.containers, ctx.views.networks, ctx.views.images, ctx.views.volumes]) view.refresh();
  const nImages = countRemovedImages(r.images.removed, plan.images.images.map((i) => i.id));
  const done = [
    plural(r.containers.removed.length, 'container', 'containers'),
    plural(r.networks.removed.length, 'network', 'networks'),
    plural(nImages, 'dangling image', 'dangling images'),
    ...(r.volumes ? [plural(r.volumes.removed.length, 'volume', 'volumes')] : []),
  ];
  void vscode.window.showInformationMessage(`Removed ${done.join(', ')}; reclaimed ${formatBytes(r.spaceReclaimed)}.`);
  return r;
}
