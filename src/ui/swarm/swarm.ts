/**
 * Swarm commands: "Run Profile on Swarm...", "View Service Logs", "Remove Service..."
 * and "Label Node...". Rows of the Swarm view pass their node model (`ref`: the service or
 * node id); programmatic callers pass `{id}` (and tests the answers to every prompt).
 */
import * as vscode from 'vscode';
import { UserError } from '../../core/errors';
import type { NodeModel } from '../../core/tree/models';
import { parseReference } from '../../core/registry/reference';
import { encodeRegistryAuth } from '../../core/registry/auth';
import { pinnedReference, planSwarmImage, serviceNameFor, toServiceSpec, DEFAULT_SWARM } from '../../core/swarm/serviceSpec';
import type { CommandContext } from '../shared/context';
import { buildProfileImage, pickProfile } from '../profiles/profiles';
import { runRequestFor } from '../shared/executeProfile';
import { pushImage } from '../registries/commands/pushImage';
import { followJob } from './followJob';
import { EngineError } from '../../engine/engine';
import { nodeConnectionInputs } from '../../core/connection';
import { listEngines } from '../../core/contexts';
import { describeTaskContainerRemoval, removeTaskContainers, taskContainerPlaces } from '../../core/swarm/taskEngine';
import { config } from '../base/config';

/** Arguments that answer every prompt of Run Profile on Swarm. */
export interface RunOnSwarmArgs {
  profile: string;
  /** run an image that exists only on this engine without asking (the nodes must have one of that name) */
  allowLocalImage?: boolean;
  /** extra labels on the service (tests) */
  labels?: Record<string, string>;
  /** open the merged log terminal (default true) */
  showLogs?: boolean;
}

async function requireManager(ctx: CommandContext): Promise<void> {
  const info = await ctx.session.get().info();
  if (!info.swarmManager) {
    throw new UserError(`The Docker engine at ${ctx.session.describe()} is not a Swarm manager (Swarm: ${info.swarm}).`, {
      hint: 'Use a manager of your swarm (Engines view), or make this engine one with `docker swarm init` and join the other machines with the token it prints.',
    });
  }
}

/**
 * "Run Profile on Swarm...": builds the image if the profile says how, makes sure the nodes can
 * get it (by digest, or pushed to `swarm.registry`; asks when it exists only on this engine),
 * creates a replicated job from the profile (src/core/swarm/serviceSpec.ts) and follows it.
 * @returns the service's id and name, or undefined when cancelled
 */
export async function runProfileOnSwarm(ctx: CommandContext, arg?: unknown): Promise<{ id: string; name: string } | undefined> {
  await requireManager(ctx);
  const args: Partial<RunOnSwarmArgs> = arg && typeof arg === 'object' ? (arg as RunOnSwarmArgs) : {};
  const picked = await pickProfile(ctx, arg, 'Run Profile on Swarm');
  if (!picked) return undefined;
  const { profile } = picked;
  const swarm = profile.swarm ?? DEFAULT_SWARM;
  // The mapping refuses what cannot go to a swarm (bind mounts, ports...) before anything is built or pushed.
  toServiceSpec(profile, { name: 'check', image: profile.image, env: {} });
  if (!(await buildProfileImage(ctx, profile))) return undefined;
  const engine = ctx.session.get();
  const req = runRequestFor(profile);
  const [details, nodes] = await Promise.all([engine.inspectImage(profile.image), engine.listNodes()]);
  const plan = planSwarmImage({ reference: profile.image, repoDigests: details.repoDigests ?? [] }, swarm.registry, nodes.length);
  let image: string;
  if (plan.kind === 'digest') image = plan.image;
  else if (plan.kind === 'push') {
    const pushed = await pushImage(ctx, { image: profile.image, target: plan.target });
    if (!pushed) return undefined;
    image = pinnedReference(pushed.reference, pushed.digest);
  } else {
    image = plan.image;
    if (nodes.length > 1 && !args.allowLocalImage) {
      const run = 'Run Anyway';
      const open = 'Open Profiles File';
      const choice = await vscode.window.showWarningMessage(plan.message, { modal: true, detail: plan.hint }, run, open);
      if (choice === open) await vscode.commands.executeCommand('mlLab.profiles.open');
      if (choice !== run) return undefined;
    }
  }
  const name = serviceNameFor(profile.name, new Date());
  const spec = toServiceSpec(profile, { name, image, env: req.env ?? {}, labels: { ...req.labels, ...(args.labels ?? {}) } });
  // As `docker service create --with-registry-auth`: the nodes pull with your credentials for that registry, if you have any.
  let registryAuth: string | undefined;
  if (plan.kind !== 'localOnly') {
    const registry = parseReference(image).registry;
    const credentials = await ctx.registries.credentials.lookup(registry);
    if (credentials) registryAuth = encodeRegistryAuth(credentials, registry);
  }
  const id = await engine.createService(spec, registryAuth);
  ctx.swarm?.refresh();
  void followJob(ctx, engine, { id, name, totalCompletions: swarm.replicas }, { showLogs: args.showLogs });
  return { id, name };
}

/** The service a command acts on: a Swarm view row, `{id, name}`, or picked from the swarm's services. */
async function serviceTarget(ctx: CommandContext, arg: unknown, title: string): Promise<{ id: string; name: string } | undefined> {
  const row = arg as Partial<NodeModel> & { id?: string; name?: string } | undefined;
  if (row?.kind === 'swarmService' && row.ref) return { id: row.ref, name: row.label ?? row.ref };
  if (row && typeof row.id === 'string' && !row.kind) return { id: row.id, name: row.name ?? row.id };
  const services = await ctx.session.get().listServices();
  if (!services.length) throw new UserError('The swarm has no services.', { hint: 'Run one with "ML Lab: Run Profile on Swarm...".' });
  const picked = await vscode.window.showQuickPick(services.map((s) => ({ label: s.name, description: `${s.mode} · ${s.image}`, s })), { title });
  return picked && { id: picked.s.id, name: picked.s.name };
}

/** Whether removing a task container failed because it is already gone (or going). */
const containerGone = (err: unknown): boolean => err instanceof EngineError && (err.kind === 'notFound' || (err.kind === 'conflict' && /already in progress/.test(err.message)));

/**
 * "Remove Service...": asks first, naming the service and what goes with it. Docker keeps a
 * finished job's task containers after the service is removed, so they are removed here too:
 * through the engine in use for its own node, through the Engines view entry that reaches each
 * other node; the confirmation and the closing message name each one that stays, with its node.
 */
export async function removeService(ctx: CommandContext, arg?: unknown): Promise<boolean> {
  const target = await serviceTarget(ctx, arg, 'Remove Service');
  if (!target) return false;
  const engine = ctx.session.get();
  const [tasks, nodes, info] = await Promise.all([engine.listTasks(target.id), engine.listNodes(), engine.info()]);
  const places = taskContainerPlaces(tasks, nodes, info.swarmNodeId, listEngines(nodeConnectionInputs(config.dockerHost(), config.engineContext())));
  const running = tasks.filter((t) => t.state === 'running').length;
  const reachable = places.filter((p) => p.route.kind !== 'none');
  const unreachable = places.filter((p) => p.route.kind === 'none');
  const byNode = (ps: typeof places) => [...new Set(ps.map((p) => p.where))].map((w) => `${ps.filter((p) => p.where === w).length} on ${w}`).join(', ');
  const containers = [
    reachable.length ? `Their ${reachable.length} container(s) are removed (${byNode(reachable)})${running ? `, the ${running} running one(s) stopped first` : ''}; their logs go with them.` : '',
    unreachable.length ? `${unreachable.length} container(s) stay, because they cannot be reached: ${byNode(unreachable)} (${[...new Set(unreachable.map((p) => (p.route.kind === 'none' ? p.route.reason : '')))].join('; ')}). Add such a node in the Engines view to have its containers removed.` : '',
  ].filter(Boolean);
  const choice = await vscode.window.showWarningMessage(
    `Remove service ${target.name}?`,
    { modal: true, detail: `Its ${tasks.length} task(s) go. ${containers.join(' ')} Named volumes stay.` },
    'Remove',
  );
  if (choice !== 'Remove') return false;
  await engine.removeService(target.id);
  const result = await removeTaskContainers(
    places,
    (p) => (p.route.kind === 'engine' ? ctx.session.forEngine(p.route.entry.label, `of node ${p.where}`).get() : engine),
    containerGone,
  );
  ctx.swarm?.refresh();
  const message = describeTaskContainerRemoval(target.name, result);
  if (result.stayed.length) void vscode.window.showWarningMessage(message);
  else void vscode.window.showInformationMessage(message);
  return true;
}

/** "View Service Logs": every task's output merged, each line prefixed with slot and node (follows a job to its end). */
export async function viewServiceLogs(ctx: CommandContext, arg?: unknown): Promise<void> {
  const target = await serviceTarget(ctx, arg, 'View Service Logs');
  if (!target) return;
  const engine = ctx.session.get();
  const service = (await engine.listServices()).find((s) => s.id === target.id);
  if (!service) throw new UserError(`Service ${target.name} no longer exists.`);
  // The run that started the job already notified of its end: the logs' summary line is enough here.
  void followJob(ctx, engine, { id: service.id, name: service.name, totalCompletions: service.totalCompletions ?? 1 }, { notify: false });
}

/** `key=value`: a node label as `docker node update --label-add` takes it. */
function parseNodeLabel(text: string): { key: string; value: string } | undefined {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9_.-]*)\s*=\s*(\S*)\s*$/.exec(text);
  return m ? { key: m[1], value: m[2] } : undefined;
}

/**
 * "Label Node...": adds or changes a label (`gpu=true`) that placement constraints read
 * (`node.labels.gpu == true`); confirmed first, naming the node and the label.
 * Programmatic: `{id, label: 'gpu=true', confirm: true}`.
 */
export async function labelNode(ctx: CommandContext, arg?: unknown): Promise<boolean> {
  const a = (arg ?? {}) as Partial<NodeModel> & { id?: string; label?: string; confirm?: boolean };
  const engine = ctx.session.get();
  const nodes = await engine.listNodes();
  let nodeId = a.kind === 'swarmNode' ? a.ref : a.kind ? undefined : a.id;
  if (!nodeId) {
    const picked = await vscode.window.showQuickPick(nodes.map((n) => ({ label: n.hostname, description: `${n.role} · ${n.state}`, n })), { title: 'Label Node' });
    nodeId = picked?.n.id;
  }
  const node = nodes.find((n) => n.id === nodeId);
  if (!node) {
    if (nodeId) throw new UserError(`Node ${nodeId} is no longer in the swarm.`);
    return false;
  }
  const text = a.kind ? undefined : a.label;
  const answer = text ?? (await vscode.window.showInputBox({
    title: `Label node ${node.hostname}`,
    prompt: `key=value; placement constraints read it as node.labels.<key> == <value>${Object.keys(node.labels).length ? ` (now: ${Object.entries(node.labels).map(([k, v]) => `${k}=${v}`).join(', ')})` : ''}`,
    value: 'gpu=true',
    validateInput: (v) => (parseNodeLabel(v) ? undefined : 'key=value, e.g. gpu=true'),
  }));
  if (!answer) return false;
  const label = parseNodeLabel(answer);
  if (!label) throw new UserError(`"${answer}" is not key=value.`, { hint: 'e.g. gpu=true' });
  if (!a.confirm) {
    const old = node.labels[label.key];
    const choice = await vscode.window.showWarningMessage(
      `Label node ${node.hostname} ${label.key}=${label.value}?`,
      { modal: true, detail: `${old !== undefined ? `It replaces ${label.key}=${old}. ` : ''}Services constrained to node.labels.${label.key} then place tasks by it.` },
      'Label',
    );
    if (choice !== 'Label') return false;
  }
  await engine.updateNodeLabels(node.id, { [label.key]: label.value });
  ctx.swarm?.refresh();
  return true;
}
