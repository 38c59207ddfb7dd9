/**
 * Networks: create a bridge network (optional subnet, validated), inspect, remove
 * (never while a container is attached: it says which), connect/disconnect a container, and the
 * network step of the guided run. Prune is in ../prune.ts with the other prunes.
 */
import * as vscode from 'vscode';
import type { CommandContext } from '../shared/context';
import { containerTarget } from '../shared/pick';
import { UserError } from '../../core/errors';
import { isBuiltinNetwork, networkUsage, overlappingNetwork, parseSubnet, validateNetworkName } from '../../core/network/networks';
import type { NodeModel } from '../../core/tree/models';
import { CommandIds } from '../../core/ids';
import { listForConfirmation, type BulkOutcome } from '../../core/bulk';
import { actOnEach, reportOutcome, selectedRows } from '../shared/bulk';

const messageOf = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
};

/** The network a command acts on: a Networks view row, `{name}`, a name, or picked among user-defined ones. */
async function networkTarget(ctx: CommandContext, arg: unknown, title: string, userDefinedOnly: boolean): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object') {
    const o = arg as Partial<NodeModel> & { name?: string };
    if (o.kind === 'network' && o.ref) return o.ref;
    if (typeof o.name === 'string') return o.name;
  }
  const networks = (await ctx.session.get().listNetworks()).filter((n) => !userDefinedOnly || !isBuiltinNetwork(n));
  if (!networks.length) {
    void vscode.window.showInformationMessage('There is no user-defined network. Create one with "ML Lab: Create Network...".');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(networks.map((n) => ({ label: n.name, description: [n.driver, ...n.subnets].join(' · ') })), { title, placeHolder: 'Network' });
  return picked?.label;
}

/** "Create Network...": a bridge network; `{name, subnet}` answers without asking. Returns the name. */
export async function createNetwork(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const given = (arg && typeof arg === 'object' ? arg : {}) as { name?: string; subnet?: string };
  const engine = ctx.session.get();
  const existing = await engine.listNetworks();
  const names = new Set(existing.map((n) => n.name));
  const nameText =
    given.name ??
    (await vscode.window.showInputBox({
      title: 'Create Network (1/2): name',
      prompt: 'A user-defined bridge network: containers on it reach each other by container name.',
      placeHolder: 'lab-net',
      validateInput: (v) => messageOf(() => validateNetworkName(v)) ?? (names.has(v.trim()) ? `A network named ${v.trim()} exists already.` : undefined),
    }));
  if (nameText === undefined) return undefined;
  const name = validateNetworkName(nameText);
  if (names.has(name)) throw new UserError(`A network named ${name} exists already.`, { hint: 'Choose another name, or use the existing network.' });
  const checkSubnet = (v: string): string | undefined => {
    if (!v.trim()) return undefined;
    const msg = messageOf(() => parseSubnet(v));
    if (msg) return msg;
    const clash = overlappingNetwork(parseSubnet(v), existing);
    return clash ? `${parseSubnet(v).cidr} overlaps network ${clash.network.name} (${clash.subnet}); pick another range, e.g. 10.42.0.0/24.` : undefined;
  };
  const subnetText =
    given.subnet ??
    (await vscode.window.showInputBox({
      title: `Create Network (2/2): subnet of ${name}`,
      prompt: 'Optional IPv4 subnet in CIDR form. Empty: Docker picks a free one.',
      placeHolder: '10.42.0.0/24',
      validateInput: checkSubnet,
    }));
  if (subnetText === undefined) return undefined;
  const problem = checkSubnet(subnetText);
  if (problem) throw new UserError(problem);
  const subnet = subnetText.trim() ? parseSubnet(subnetText).cidr : undefined;
  await engine.createNetwork({ name, ...(subnet ? { subnet } : {}) });
  ctx.views.networks.refresh();
  return name;
}

export async function inspectNetwork(ctx: CommandContext, arg?: unknown): Promise<void> {
  const name = await networkTarget(ctx, arg, 'Inspect Network', false);
  if (!name) return;
  const json = await ctx.session.get().inspectNetwork(name);
  await ctx.docs.show(`/network/${name.replace(/[^A-Za-z0-9_.-]+/g, '_')}.json`, JSON.stringify(json, null, 2), 'json');
}

/** "Remove Network...": never Docker's own, never while containers are attached (names them); asks first. */
/**
 * Several selected networks: Docker's own and those containers are attached to are left alone
 * and said so; one confirmation names the rest, then each is removed under one progress notification.
 */
async function removeNetworks(ctx: CommandContext, rows: unknown[]): Promise<BulkOutcome | undefined> {
  const names = [...new Set(rows.map((r) => r as Partial<NodeModel>).filter((r) => r.kind === 'network' && r.ref).map((r) => r.ref as string))];
  const used = networkUsage(await ctx.session.get().listContainers());
  const kept = names
    .filter((n) => isBuiltinNetwork({ name: n }) || used.get(n)?.length)
    .map((n) => ({ name: n, reason: isBuiltinNetwork({ name: n }) ? "it is one of Docker's own networks" : `used by ${(used.get(n) ?? []).join(', ')}` }));
  const free = names.filter((n) => !kept.some((k) => k.name === n));
  if (!free.length) throw new UserError(`None of the ${names.length} networks is removed: ${kept.map((k) => `${k.name}: ${k.reason}`).join('; ')}.`, { hint: 'Disconnect or remove the containers attached to them first.' });
  const choice = await vscode.window.showWarningMessage(
    `Remove ${free.length} ${free.length === 1 ? 'network' : 'networks'}?`,
    { modal: true, detail: `${listForConfirmation(free)}\n\nContainers created later cannot join them; their subnets are freed.${kept.length ? `\n\nKept: ${kept.map((k) => `${k.name} (${k.reason})`).join('; ')}.` : ''}` },
    'Remove',
  );
  if (choice !== 'Remove') return undefined;
  const outcome = await actOnEach(`Remove ${free.length} networks`, free, (n) => n, (n) => ctx.session.get().removeNetwork(n), kept);
  ctx.views.networks.refresh();
  return reportOutcome(outcome, 'Removed', 'remove', ['network', 'networks']);
}

export async function removeNetwork(ctx: CommandContext, arg?: unknown, selected?: unknown): Promise<boolean | BulkOutcome> {
  const rows = selectedRows(CommandIds.networkRemove, arg, selected);
  if (rows) return (await removeNetworks(ctx, rows)) ?? false;
  const name = await networkTarget(ctx, arg, 'Remove Network', true);
  if (!name) return false;
  if (isBuiltinNetwork({ name })) throw new UserError(`${name} is one of Docker's own networks and cannot be removed.`);
  const engine = ctx.session.get();
  const users = networkUsage(await engine.listContainers()).get(name) ?? [];
  if (users.length) {
    throw new UserError(`Network ${name} is used by ${users.join(', ')}, so it is not removed.`, {
      hint: 'Disconnect those containers (right-click > Disconnect from Network...) or remove them first.',
    });
  }
  const silent = !!arg && typeof arg === 'object' && (arg as { confirmed?: boolean }).confirmed === true;
  if (!silent) {
    const choice = await vscode.window.showWarningMessage(`Remove network ${name}?`, { modal: true, detail: 'Containers created later cannot join it; its subnet is freed.' }, 'Remove');
    if (choice !== 'Remove') return false;
  }
  await engine.removeNetwork(name);
  ctx.views.networks.refresh();
  return true;
}

/** "Connect to Network...": on a container; offers the networks it is not on (host and none excluded). */
export async function connectContainerToNetwork(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const c = await containerTarget(ctx, arg, 'Connect to Network');
  if (!c) return undefined;
  const given = arg && typeof arg === 'object' ? (arg as { network?: string }).network : undefined;
  const on = new Set(('networks' in c && c.networks) || []);
  const candidates = (await ctx.session.get().listNetworks()).filter((n) => !on.has(n.name) && n.name !== 'host' && n.name !== 'none');
  const network =
    given ??
    (await vscode.window.showQuickPick(candidates.map((n) => ({ label: n.name, description: [n.driver, ...n.subnets].join(' · ') })), {
      title: `Connect ${c.name} to network`,
      placeHolder: candidates.length ? 'Network' : 'No other network: create one first',
    }))?.label;
  if (!network) return undefined;
  await ctx.session.get().connectNetwork(network, c.id);
  ctx.views.networks.refresh();
  return network;
}

/** "Disconnect from Network...": on a container (picks among its networks) or an attached-container row of the Networks view. */
export async function disconnectContainerFromNetwork(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const node = arg as Partial<NodeModel> | undefined;
  if (node?.kind === 'networkContainer' && node.ref) {
    const [network, container] = node.ref.split('\n');
    await ctx.session.get().disconnectNetwork(network, container);
    ctx.views.networks.refresh();
    return network;
  }
  const c = await containerTarget(ctx, arg, 'Disconnect from Network');
  if (!c) return undefined;
  const given = arg && typeof arg === 'object' ? (arg as { network?: string }).network : undefined;
  const on = ('networks' in c && c.networks) || [];
  if (!given && !on.length) throw new UserError(`${c.name} is on no network.`);
  const network = given ?? (await vscode.window.showQuickPick(on.map((n) => ({ label: n })), { title: `Disconnect ${c.name} from network` }))?.label;
  if (!network) return undefined;
  await ctx.session.get().disconnectNetwork(network, c.id);
  ctx.views.networks.refresh();
  return network;
}

/**
 * The guided run's network step: offered only when user-defined networks exist. Returns '' for
 * the default bridge, a network name, or undefined when the user cancels.
 */
export async function pickRunNetwork(ctx: CommandContext, image: string): Promise<string | undefined> {
  const own = (await ctx.session.get().listNetworks()).filter((n) => !isBuiltinNetwork(n) && n.driver === 'bridge');
  if (!own.length) return '';
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'Default bridge', description: 'Docker’s default network', value: '' },
      ...own.map((n) => ({ label: n.name, description: ['user-defined', ...n.subnets].join(' · '), detail: 'Containers on it reach each other by container name.', value: n.name })),
    ],
    { title: `Run ${image}: network` },
  );
  return picked?.value;
}
