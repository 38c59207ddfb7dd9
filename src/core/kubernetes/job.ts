/**
 * "Export Profile as Kubernetes Job": a run profile (src/core/run/profile.ts) as a `batch/v1`
 * Job manifest in YAML, and as the `kubectl apply -f -` command that submits it. We export; we
 * never talk to a cluster: submitting is done with kubectl or the cluster's own tools.
 *
 * Field mapping (Kubernetes API reference, Job and Pod:
 * https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/job-v1/,
 * https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/):
 * image -> `image` (by registry digest when the image was pushed); entrypoint -> `command`,
 * command -> `args`; env -> `env`, secret-looking names (./names.ts `looksSecret`) ->
 * `valueFrom.secretKeyRef`; envFiles -> `envFrom.secretRef`; workdir -> `workingDir`; numeric
 * user -> `securityContext.runAsUser/runAsGroup`; ports -> `ports[].containerPort` (a Job
 * publishes none); memory/cpus -> `resources.limits`; GPUs -> `resources.limits["nvidia.com/gpu"]`
 * (https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/); shmSize -> an `emptyDir`
 * with `medium: Memory` at /dev/shm; named volumes -> `persistentVolumeClaim` volumes; ipc host /
 * network host -> `hostIPC` / `hostNetwork`; restart -> `backoffLimit`; rm -> `ttlSecondsAfterFinished: 0`;
 * labels -> labels (or annotations when not valid label syntax). Bind mounts, other networks,
 * non-numeric users and interactive runs cannot be carried: the manifest's comments and the
 * returned notes say so.
 */
import * as path from 'node:path';
import { Document, isMap, isScalar } from 'yaml';
import type { Job } from 'kubernetes-types/batch/v1';
import type { Container, ContainerPort, EnvFromSource, EnvVar, PodSpec, ResourceRequirements, Volume, VolumeMount } from 'kubernetes-types/core/v1';
import type { ObjectMeta } from 'kubernetes-types/meta/v1';
import type { Profile } from '../run/profile';
import { formatByteSize } from '../run/resources';
import { parseImageReference } from '../registry/reference';
import { bytesToQuantity, isValidLabel, looksSecret, nanoCpusToQuantity, toDnsLabel } from './names';

/** Which exact image the manifest names, as the engine told us (`GET /images/{name}/json`). */
export type ImageDigest =
  /** The image is in a registry: `RepoDigests` entry `repo@sha256:...`; the Job pulls exactly it. */
  | { kind: 'repoDigest'; reference: string; digest: string }
  /** Built or loaded here, never pushed: only the local image ID `sha256:...` pins it. */
  | { kind: 'imageId'; id: string }
  /** The engine did not say (no such image, engine not reachable): `reason` says why. */
  | { kind: 'unknown'; reason: string };

/**
 * Picks the digest to name for `imageRef` from the engine's image inspect:
 * the `RepoDigests` entry of the same repository when there is one, else the first
 * `RepoDigests` entry (the image was pushed under another name, e.g. to a course registry), else
 * the image ID.
 * @param inspect `{Id, RepoDigests}` of `GET /images/{imageRef}/json`, or undefined with `reason`
 */
export function resolveImageDigest(imageRef: string, inspect: { Id?: string; RepoDigests?: string[] } | undefined, reason = 'the engine did not answer'): ImageDigest {
  if (!inspect) return { kind: 'unknown', reason };
  const digests = (inspect.RepoDigests ?? []).filter((d) => /@sha256:[a-f0-9]{64}$/.test(d));
  const wanted = parseImageReference(imageRef);
  const sameRepo = wanted.ok
    ? digests.find((d) => {
        const r = parseImageReference(d);
        return r.ok && r.reference.registry === wanted.reference.registry && r.reference.path === wanted.reference.path;
      })
    : undefined;
  const chosen = sameRepo ?? digests[0];
  if (chosen) return { kind: 'repoDigest', reference: chosen, digest: chosen.slice(chosen.indexOf('@') + 1) };
  if (inspect.Id) return { kind: 'imageId', id: inspect.Id };
  return { kind: 'unknown', reason: 'the engine gave no image ID' };
}

export interface JobExportOptions {
  /** What the engine said about the profile's image (`resolveImageDigest`). */
  image: ImageDigest;
  /** Absolute workspace folder: bind mounts and env files are shown relative to it. */
  workspaceFolder?: string;
  /** The profiles file as the user knows it, e.g. ".vscode/mllab.yaml", for the header comment. */
  profilesFile?: string;
}

/** A comment placed before a field of the manifest (`path` as for yaml's `getIn`). */
export interface FieldComment {
  path: Array<string | number>;
  text: string;
}

/** A Secret the user must create before applying the Job; never holds values, only the names. */
export interface SecretToCreate {
  name: string;
  /** Env variable names it must have as keys (secret-looking env), or [] for env files. */
  keys: string[];
  /** Env files (relative to the workspace folder) it is created from, or []. */
  files: string[];
  /** The `kubectl create secret generic ...` line: values come from the shell or the files, never from us. */
  command: string;
}

/** The Job for a profile plus everything the user must know or do about it. */
export interface JobExport {
  job: Job;
  /** The Job's name (DNS-1123 label). */
  name: string;
  /** Comment lines for the top of the manifest (without `#`). */
  header: string[];
  fieldComments: FieldComment[];
  /** One sentence each: what was not carried or needs doing before `kubectl apply`. */
  notes: string[];
  secrets: SecretToCreate[];
  /** PersistentVolumeClaims the Job mounts; they must exist before it runs. */
  claims: string[];
}

const SHM_VOLUME = 'dshm';
/** Kubernetes' default backoffLimit (JobSpec.backoffLimit: "Defaults to 6"). */
const K8S_DEFAULT_BACKOFF = 6;

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function shown(p: string, workspaceFolder: string | undefined): string {
  if (!workspaceFolder) return p;
  const rel = path.relative(workspaceFolder, p);
  if (rel === '') return '.';
  return rel.startsWith('..') || path.isAbsolute(rel) ? p : `./${rel}`;
}

/** What the parts of the mapping collect for the user besides the Job itself. */
interface Collected {
  notes: string[];
  fieldComments: FieldComment[];
  secrets: SecretToCreate[];
  claims: string[];
}

const POD_PATH = ['spec', 'template', 'spec'];
const CONTAINER_PATH = [...POD_PATH, 'containers', 0];
/** "s" for more than one: `claim${plural(n)}`. */
const plural = (n: number, many = 's', one = '') => (n > 1 ? many : one);

/** Labels: the recommended app.kubernetes.io/* ones, ours, then the profile's own; a label Kubernetes refuses becomes an annotation. */
function jobMetadata(profile: Profile, name: string): ObjectMeta {
  const ref = parseImageReference(profile.image);
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  const put = (k: string, v: string) => {
    if (isValidLabel(k, v)) labels[k] = v;
    else annotations[k] = v;
  };
  put('app.kubernetes.io/name', ref.ok ? toDnsLabel(ref.reference.path.split('/').pop()!, name) : name);
  put('app.kubernetes.io/instance', name);
  if (ref.ok && ref.reference.tag) put('app.kubernetes.io/version', ref.reference.tag);
  put('mllab.org/profile', profile.name);
  for (const [k, v] of Object.entries(profile.run.labels)) put(k, v);
  return { labels, ...(Object.keys(annotations).length ? { annotations } : {}) };
}

/** Docker's ENTRYPOINT/CMD are Kubernetes' command/args. `entrypoint: ""` clears the image's ENTRYPOINT, which a Pod cannot: the profile's command then is the program. */
function setCommand(c: Container, r: Profile['run'], out: Collected): void {
  const cleared = r.entrypoint !== undefined && r.entrypoint.length === 0;
  if (r.entrypoint?.length) c.command = [...r.entrypoint];
  if (cleared && r.cmd?.length) c.command = [...r.cmd];
  else if (r.cmd?.length) c.args = [...r.cmd];
  if (cleared && !r.cmd?.length) out.notes.push('The profile clears the image\'s ENTRYPOINT without a command; a Pod cannot clear it, so set command: in the manifest.');
  if (r.workingDir) c.workingDir = r.workingDir;
}

/** env: plain values stay; secret-looking names and env files come from Secrets the user creates (we never write their values). */
function setEnv(c: Container, r: Profile['run'], name: string, workspaceFolder: string | undefined, out: Collected): void {
  const secretName = `${name}-secrets`;
  const keys = Object.keys(r.env).filter(looksSecret);
  const env = Object.entries(r.env).map(([k, v]): EnvVar => (looksSecret(k) ? { name: k, valueFrom: { secretKeyRef: { name: secretName, key: k } } } : { name: k, value: v }));
  if (env.length) c.env = env;
  if (keys.length) {
    const command = `kubectl create secret generic ${secretName} ${keys.map((k) => `--from-literal=${k}="$${k}"`).join(' ')}`;
    out.secrets.push({ name: secretName, keys, files: [], command });
    out.notes.push(`${keys.join(', ')} ${plural(keys.length, 'look', 'looks')} secret, so the Job reads ${plural(keys.length, 'them', 'it')} from the Secret ${secretName}: create it first (with the variable${plural(keys.length)} set in your shell): ${command}`);
    out.fieldComments.push({ path: [...CONTAINER_PATH, 'env'], text: ` ${keys.join(', ')}: from the Secret ${secretName}, which must exist first:\n ${command}` });
  }
  if (r.envFiles.length) {
    const fileSecret = `${name}-env-file`;
    const files = r.envFiles.map((f) => shown(f, workspaceFolder));
    const command = `kubectl create secret generic ${fileSecret} ${files.map((f) => `--from-env-file=${shellQuote(f)}`).join(' ')}`;
    c.envFrom = [{ secretRef: { name: fileSecret } } satisfies EnvFromSource];
    out.secrets.push({ name: fileSecret, keys: [], files, command });
    out.notes.push(`The env file${plural(files.length)} ${files.join(', ')} ${plural(files.length, 'become', 'becomes')} the Secret ${fileSecret} (env files often hold secrets): create it first: ${command}`);
    out.fieldComments.push({ path: [...CONTAINER_PATH, 'envFrom'], text: ` ${files.join(', ')} as the Secret ${fileSecret}; create it first:\n ${command}` });
  }
}

/** Ports: the container ports are listed; a Job publishes none. */
function setPorts(c: Container, r: Profile['run'], name: string, out: Collected): void {
  if (!r.ports.length) return;
  const n = r.ports.length;
  c.ports = r.ports.map((p): ContainerPort => ({ containerPort: p.containerPort, ...(p.protocol !== 'tcp' ? { protocol: p.protocol.toUpperCase() } : {}) }));
  const bindings = r.ports.map((p) => `${p.hostPort !== undefined ? `${p.hostPort}:` : ''}${p.containerPort}${p.protocol !== 'tcp' ? `/${p.protocol}` : ''}`).join(', ');
  const first = r.ports[0];
  const forward = `kubectl port-forward pod/<pod of job ${name}> ${first.hostPort ?? first.containerPort}:${first.containerPort}`;
  out.fieldComments.push({ path: [...CONTAINER_PATH, 'ports'], text: ` A Job publishes no ports: the port binding${plural(n)} ${bindings} ${plural(n, 'are', 'is')} not carried, only the container port${plural(n)}.\n Reach it with ${forward}, or a Service.` });
  out.notes.push(`A Job publishes no ports: ${bindings} ${plural(n, 'are', 'is')} listed as container port${plural(n)} only (use ${forward}).`);
}

/** Memory and CPU limits, and GPUs as `nvidia.com/gpu` (NVIDIA device plugin; https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/). */
function setResources(c: Container, r: Profile['run'], out: Collected): void {
  const limits: NonNullable<ResourceRequirements['limits']> = {};
  if (r.memory !== undefined) limits.memory = bytesToQuantity(r.memory);
  if (r.nanoCpus !== undefined) limits.cpu = nanoCpusToQuantity(r.nanoCpus);
  if (r.gpus) {
    const g = r.gpus;
    limits['nvidia.com/gpu'] = String(g.kind === 'count' ? g.count : g.kind === 'devices' ? g.deviceIds.length : 1);
    const why =
      g.kind === 'all'
        ? ' gpus: all has no Kubernetes form (a Pod asks for a number): 1 here; set how many the node has.'
        : g.kind === 'devices'
          ? ` gpus: device=${g.deviceIds.join(',')}: a Pod cannot choose devices, so it asks for ${g.deviceIds.length}.`
          : '';
    out.fieldComments.push({ path: [...CONTAINER_PATH, 'resources', 'limits', 'nvidia.com/gpu'], text: `${why ? `${why}\n` : ''} Needs the NVIDIA device plugin on the cluster's GPU nodes.` });
    if (why) out.notes.push(why.trim());
  }
  if (Object.keys(limits).length) c.resources = { limits };
}

/** /dev/shm as a memory emptyDir, named volumes as PersistentVolumeClaims; bind mounts cannot be carried. @returns the Pod's volumes */
function mountVolumes(c: Container, r: Profile['run'], workspaceFolder: string | undefined, out: Collected): Volume[] {
  const volumes: Volume[] = [];
  const mounts: VolumeMount[] = [];
  const notCarried: string[] = [];
  const shm = r.shmSize !== undefined && r.ipcMode !== 'host'; // ipc: host uses the node's /dev/shm
  if (shm) {
    volumes.push({ name: SHM_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: bytesToQuantity(r.shmSize!) } });
    mounts.push({ name: SHM_VOLUME, mountPath: '/dev/shm' });
    out.fieldComments.push({ path: [...POD_PATH, 'volumes', 0], text: ` /dev/shm in memory, ${formatByteSize(r.shmSize!)} (shmSize, as docker run --shm-size); it counts against the container's memory.` });
  }
  for (const m of r.mounts) {
    if (m.type === 'bind') {
      notCarried.push(`bind mount ${shown(m.source, workspaceFolder)} -> ${m.target}`);
      continue;
    }
    const claim = toDnsLabel(m.source, 'data');
    const vol = claim === SHM_VOLUME ? `${claim}-1` : claim;
    if (!out.claims.includes(claim)) {
      volumes.push({ name: vol, persistentVolumeClaim: { claimName: claim } });
      out.claims.push(claim);
      if (claim !== m.source) out.notes.push(`The named volume ${m.source} is the PersistentVolumeClaim ${claim} (Kubernetes names are lower case).`);
    }
    mounts.push({ name: vol, mountPath: m.target, ...(m.readOnly ? { readOnly: true } : {}) });
  }
  if (mounts.length) c.volumeMounts = mounts;
  const claims = out.claims;
  if (notCarried.length) {
    out.notes.push(`Not carried: ${notCarried.join('; ')}. A Pod runs on a cluster node and cannot mount a folder of this machine; put the files in a named volume (a PersistentVolumeClaim) or the image.`);
    out.fieldComments.push({ path: [...CONTAINER_PATH, mounts.length ? 'volumeMounts' : 'image'], text: ` Not carried: ${notCarried.join('; ')} (a Pod cannot mount a folder of this machine).` });
  }
  if (claims.length) {
    out.notes.push(`Create the PersistentVolumeClaim${plural(claims.length)} ${claims.join(', ')} before applying (the named volume's data does not move with it).`);
    out.fieldComments.push({ path: [...POD_PATH, 'volumes', shm ? 1 : 0], text: ` Create the PersistentVolumeClaim${plural(claims.length)} ${claims.join(', ')} first (kubectl apply -f a PersistentVolumeClaim manifest).` });
  }
  return volumes;
}

/**
 * `backoffLimit` from Docker's restart policy: none or `no` -> 0 (docker run retries none),
 * `on-failure:N` -> N, `on-failure`, `always`, `unless-stopped` -> Kubernetes' default 6.
 */
function retries(r: Profile['run'], out: Collected): number {
  const restart = r.restart ?? 'no';
  const onFailure = /^on-failure(?::(\d+))?$/.exec(restart);
  const limit = restart === 'no' ? 0 : onFailure?.[1] !== undefined ? Number(onFailure[1]) : K8S_DEFAULT_BACKOFF;
  const why =
    restart === 'no'
      ? ' No retry of a failed run: the profile has no restart policy (docker run retries none).'
      : onFailure
        ? ` Up to ${limit} retries of a failed run (restart: ${restart}${onFailure[1] === undefined ? `; Kubernetes' default` : ''}).`
        : ` restart: ${restart} becomes ${K8S_DEFAULT_BACKOFF} retries of a failed run: a Job ends; for a server that always runs, use a Deployment.`;
  out.fieldComments.push({ path: ['spec', 'backoffLimit'], text: why });
  return limit;
}

/**
 * The Job for a profile (mapping in this file's header). Pure: the caller resolves the image
 * digest through the engine first (`resolveImageDigest`).
 * @returns the Job object (kubernetes-types `batch/v1` Job), the header and field comments for
 *   `jobManifestYaml`, the notes for the user, the Secrets and PersistentVolumeClaims to create
 */
export function profileToJob(profile: Profile, options: JobExportOptions): JobExport {
  const r = profile.run;
  const given = r.name ?? profile.name;
  const name = toDnsLabel(given);
  const out: Collected = { notes: [], fieldComments: [], secrets: [], claims: [] };
  if (name !== given) out.notes.push(`The Job is named ${name}: Kubernetes names are lower-case letters, digits and - (was ${given}).`);
  const image = options.image;
  if (image.kind === 'imageId') out.notes.push(`${profile.image} is not in a registry (local image ID ${image.id.slice(0, 19)}...): push it to one the cluster's nodes can pull from, and export again.`);
  if (image.kind === 'unknown') out.notes.push(`The digest of ${profile.image} is unknown (${image.reason}): ${profile.build ? 'build and push' : 'push'} it, and export again.`);

  const container: Container = { name, image: image.kind === 'repoDigest' ? image.reference : profile.image };
  setCommand(container, r, out);
  setEnv(container, r, name, options.workspaceFolder, out);
  setPorts(container, r, name, out);
  setResources(container, r, out);
  const volumes = mountVolumes(container, r, options.workspaceFolder, out);
  // Kubernetes takes numeric user and group IDs only.
  const numericUser = r.user ? /^(\d+)(?::(\d+))?$/.exec(r.user) : null;
  if (numericUser) container.securityContext = { runAsUser: Number(numericUser[1]), ...(numericUser[2] !== undefined ? { runAsGroup: Number(numericUser[2]) } : {}) };
  else if (r.user) out.notes.push(`user "${r.user}" is not carried: Kubernetes takes numeric IDs (runAsUser/runAsGroup), e.g. "1000:1000".`);
  if (!r.detach || r.interactive) out.notes.push('The interactive terminal is not carried: a Job runs without one (use kubectl attach or kubectl exec -it on its Pod).');

  const pod: PodSpec = { restartPolicy: 'Never', containers: [container] };
  if (r.ipcMode === 'host') pod.hostIPC = true;
  else if (r.ipcMode && !['private', 'shareable'].includes(r.ipcMode)) out.notes.push(`ipc: ${r.ipcMode} is not carried: a Pod's containers share one IPC namespace.`);
  if (r.network === 'host') pod.hostNetwork = true;
  else if (r.network && r.network !== 'bridge') out.notes.push(`network: ${r.network} is not carried: a Pod joins the cluster's network.`);
  if (volumes.length) pod.volumes = volumes;

  const metadata = jobMetadata(profile, name);
  const spec: Job['spec'] = { backoffLimit: retries(r, out), template: { metadata: structuredClone(metadata), spec: pod } };
  if (r.autoRemove) {
    spec.ttlSecondsAfterFinished = 0;
    out.fieldComments.push({ path: ['spec', 'ttlSecondsAfterFinished'], text: ' rm: true: the Job and its Pod are deleted once it finishes (logs too).' });
  }
  const job: Job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, ...metadata }, spec };
  const { notes, fieldComments, secrets, claims } = out;
  return { job, name, header: header(profile, options, container.image!), fieldComments, notes, secrets, claims };
}

function header(profile: Profile, options: JobExportOptions, image: string): string[] {
  const lines = [`Kubernetes Job for run profile "${profile.name}"${options.profilesFile ? ` of ${options.profilesFile}` : ''}, exported by ML Container Lab.`];
  if (profile.description) lines.push(`${profile.name}: ${profile.description}`);
  const d = options.image;
  if (d.kind === 'repoDigest') {
    lines.push(`Image ${profile.image}, registry digest ${d.digest} (RepoDigests: pushed as ${d.reference.slice(0, d.reference.indexOf('@'))}).`);
    lines.push(`The Job pulls exactly that image: ${image}`);
  } else if (d.kind === 'imageId') {
    lines.push(`Image ${profile.image}, image ID ${d.id} (local: not pushed, so no registry digest).`);
    lines.push('A cluster pulls images from a registry: push it (ML Lab: Push Image...) to one the nodes can reach,');
    lines.push('then export again to pin its digest, or set image: to the pushed reference.');
  } else {
    lines.push(`Image ${profile.image}, digest unknown: ${d.reason}.`);
    lines.push(`${profile.build ? 'Build it (Run Profile builds it), push' : 'Push'} it to a registry the cluster's nodes can reach, then export again to pin its digest.`);
  }
  lines.push('Submit it with kubectl (kubectl apply -f <this file>) or your cluster\'s own tools; ML Container Lab only exports.');
  return lines;
}

/** Places `text` before the field at `path` (a key: before the key; a list item: before the item). */
function commentAt(doc: Document, at: Array<string | number>, text: string): void {
  const last = at[at.length - 1];
  if (typeof last === 'number') {
    const node = doc.getIn(at, true) as { commentBefore?: string | null } | undefined;
    if (node && typeof node === 'object') node.commentBefore = node.commentBefore ? `${node.commentBefore}\n${text}` : text;
    return;
  }
  const parent = doc.getIn(at.slice(0, -1), true);
  if (!isMap(parent)) return;
  const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
  if (pair && isScalar(pair.key)) pair.key.commentBefore = pair.key.commentBefore ? `${pair.key.commentBefore}\n${text}` : text;
}

/**
 * The manifest's YAML text: the header as `#` comments, then the Job in the field order above
 * with its field comments, lists unindented as in the Kubernetes docs. `parse(text)` gives back
 * exactly `exported.job` (comments are not data).
 */
export function jobManifestYaml(exported: JobExport): string {
  const doc = new Document(exported.job);
  doc.commentBefore = exported.header.map((l) => ` ${l}`).join('\n');
  for (const c of exported.fieldComments) commentAt(doc, c.path, c.text);
  return doc.toString({ lineWidth: 0, indentSeq: false });
}

/**
 * `kubectl apply -f - <<'EOF' ... EOF` with the manifest as a here-document. The quoted
 * delimiter keeps the shell from expanding `$` in it; a delimiter that occurs as a line of the
 * manifest is replaced by `EOF_1`, `EOF_2`...
 */
export function kubectlApplyCommand(manifest: string): string {
  const lines = new Set(manifest.split('\n'));
  let tag = 'EOF';
  for (let i = 1; lines.has(tag); i++) tag = `EOF_${i}`;
  return `kubectl apply -f - <<'${tag}'\n${manifest.endsWith('\n') ? manifest : `${manifest}\n`}${tag}\n`;
}

/** The note for the user: the Job's name, then what needs doing, one item per line. */
export function exportNote(exported: JobExport): string {
  return [`Profile exported as the Kubernetes Job ${exported.name}.`, ...exported.notes].join('\n');
}
