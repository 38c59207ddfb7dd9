/**
 * The profile's `swarm:` section: its resolved shape and the placement forms it takes. Shared by
 * the profile parser (src/core/run/profileResolve.ts) and the service spec (serviceSpec.ts), so
 * neither imports the other. The forms follow `docker service create --constraint` and
 * `--placement-pref spread=` (docker/cli cli/command/service/opts.go); the JSON Schema
 * (schemas/mllab-profiles.schema.json) checks the same patterns in the file.
 */
import { UserError } from '../errors';
import type { MountSpec } from '../run/mounts';

/** The profile's `swarm:` section, resolved (see docs/profiles.md). */
export interface SwarmSection {
  /** tasks that must complete (`TotalCompletions`); default 1 */
  replicas: number;
  /** tasks running at once (`MaxConcurrent`); default: all replicas */
  maxConcurrent?: number;
  /** placement constraints, e.g. `node.labels.gpu == true` (docker service create --constraint) */
  constraints: string[];
  /** at most this many tasks on one node (`Placement.MaxReplicas`, API 1.40) */
  maxPerNode?: number;
  /** spread tasks evenly over the values of this node attribute (`Placement.Preferences[].Spread`), e.g. `node.labels.rack` */
  spread?: string;
  /** registry (host[:port][/namespace]) to push the image to when the nodes cannot share a local image, e.g. `127.0.0.1:5000/course` */
  registry?: string;
  /** mounts on Swarm instead of run.volumes (named volumes only), e.g. `["iris-artifacts:/usr/local/app/artifacts"]` */
  volumes?: MountSpec[];
}

/** A profile without a `swarm:` section runs as one task, anywhere. */
export const DEFAULT_SWARM: SwarmSection = { replicas: 1, constraints: [] };

/** `node.labels.gpu == true`, `node.role!=manager`, `node.hostname == box-1`, `engine.labels.x == y`, `node.platform.os == linux`. */
const CONSTRAINT = /^\s*(node\.(id|hostname|role|platform\.os|platform\.arch|labels\.[A-Za-z0-9_.-]+)|engine\.labels\.[A-Za-z0-9_.-]+)\s*(==|!=)\s*\S+\s*$/;

/**
 * Checks a placement constraint's form (what `docker service create --constraint` accepts) and
 * writes it with one space around the operator: ` node.labels.gpu==true ` -> `node.labels.gpu == true`.
 * @throws UserError naming the expected form
 */
export function validateConstraint(text: string): string {
  if (!CONSTRAINT.test(text)) {
    throw new UserError(`Constraint "${text}" is not <attribute> == <value> or <attribute> != <value> with node.id, node.hostname, node.role, node.platform.os, node.platform.arch, node.labels.<name> or engine.labels.<name>, e.g. node.labels.gpu == true`);
  }
  return text.trim().replace(/\s*(==|!=)\s*/, ' $1 ');
}

/**
 * `node.labels.rack`: the attribute a spread preference names, trimmed.
 * @throws UserError when it is not a node attribute
 */
export function validateSpread(text: string): string {
  if (!/^(node\.(id|hostname|role|platform\.os|platform\.arch|labels\.[A-Za-z0-9_.-]+)|engine\.labels\.[A-Za-z0-9_.-]+)$/.test(text.trim())) {
    throw new UserError(`Spread "${text}" is not a node attribute such as node.labels.rack or node.id`);
  }
  return text.trim();
}
