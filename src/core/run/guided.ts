/**
 * Defaults for the guided run (no profile yet), from the image's config and its Dockerfile,
 * and the checks that protect people while they answer (sensitive mounts, read-only data).
 */
import * as path from 'node:path';
import { buildModel } from '../dockerfile/model';
import { formatPortBinding, portsFromExposed } from './ports';

export interface GuidedInput {
  /** Image reference, e.g. "iris-train:v1". */
  image: string;
  /** The image config's `ExposedPorts`, e.g. `{"8080/tcp": {}}`. */
  exposedPorts: Record<string, unknown>;
  /** The image config's `Volumes` paths (`VOLUME` instructions), e.g. ["/data"]. */
  volumes: string[];
  /** The image config's `WorkingDir` ('' when the Dockerfile sets none: "/"). */
  workingDir: string;
  imageLabels: Record<string, string>;
  /** The Dockerfile the image was built from, when known. */
  dockerfileText?: string;
  /** requirements.txt next to it, when known. */
  requirementsText?: string;
  /** The engine lists a GPU runtime (`docker info` Runtimes has "nvidia"). */
  hasGpuRuntime: boolean;
  /**
   * The image config's `Entrypoint` then `Cmd`, from inspect (used like the Dockerfile's CMD), so
   * an image built outside the extension (docker build on the CLI: no Dockerfile label) is still
   * recognised as a training job.
   */
  imageCmd?: string[];
}

export interface GuidedDefaults {
  /** Port bindings as `-p` text, comma-separated: each EXPOSEd port on the same host port ("8888:8888, 6006:6006"). */
  ports: string;
  /** Mounts as `-v` text, comma-separated: `./<name>:<VOLUME path>` per VOLUME, and `./artifacts:<WORKDIR>/artifacts` for training images. */
  mounts: string;
  /** Set when the image contains PyTorch: suggested `--shm-size` and why. */
  suggestShm?: { size: string; why: string };
  /** Offer the GPU step (only when the engine has a GPU runtime). */
  offerGpus: boolean;
  /** The image looks like a training job (CMD/ENTRYPOINT mentions train, or a train*.py is copied in). */
  isTraining: boolean;
}

/** Why PyTorch needs more /dev/shm than Docker's default; shown next to the suggestion. */
export const SHM_WHY =
  "PyTorch DataLoader workers pass batches through shared memory; at Docker's default 64 MB /dev/shm they die with bus errors. 2g (or ipc: host) avoids it.";

const TORCH_PACKAGES = new Set(['torch', 'torchvision', 'torchaudio', 'pytorch-lightning', 'lightning', 'torchtext', 'timm']);
const TORCH_IN_DOCKERFILE = /(^|[^A-Za-z0-9_-])(py)?torch(vision|audio|text)?([^A-Za-z0-9_]|$)|pytorch-lightning/i;
const TRAIN_WORD = /(^|[^a-z])(train|fit)/i;

/** Package names (PEP 503 normalised) in requirements.txt text; options and comments skipped. */
function requirementNames(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '' || line.startsWith('-')) continue;
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line);
    if (m) out.push(m[1].toLowerCase().replace(/[-_.]+/g, '-'));
  }
  return out;
}

/** Whether a Dockerfile (last stage) or a requirements file brings in PyTorch. */
export function mentionsTorch(dockerfileText: string | undefined, requirementsText: string | undefined): boolean {
  if (requirementsText !== undefined && requirementNames(requirementsText).some((n) => TORCH_PACKAGES.has(n))) return true;
  if (dockerfileText === undefined) return false;
  const model = buildModel(dockerfileText);
  return model.instructions.some((i) => (i.keyword === 'FROM' || i.keyword === 'RUN' || i.keyword === 'ARG' || i.keyword === 'ENV') && TORCH_IN_DOCKERFILE.test(i.line.text));
}

/** Training image: the final stage's CMD/ENTRYPOINT (or the image's Cmd) mentions train/fit, or it COPYs/ADDs a train*.py. */
export function looksLikeTraining(dockerfileText: string | undefined, imageCmd?: string[]): boolean {
  if (imageCmd !== undefined && imageCmd.some((w) => TRAIN_WORD.test(path.posix.basename(w)))) return true;
  if (dockerfileText === undefined) return false;
  const model = buildModel(dockerfileText);
  const last = model.stages[model.stages.length - 1];
  const instructions = last ? last.instructions : model.instructions;
  for (const i of instructions) {
    if ((i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT') && TRAIN_WORD.test(i.args.text)) return true;
    if ((i.keyword === 'COPY' || i.keyword === 'ADD') && /(^|[\s/"'])train[^\s/"']*\.py\b/i.test(i.args.text)) return true;
  }
  return false;
}

/**
 * Prefills the guided run from the image and its Dockerfile:
 * - ports: every EXPOSEd port on the same host port (the caller checks the host port is free
 *   with `isPortFree` and offers `nextFreePort` otherwise);
 * - mounts: `./<last path segment>:<path>` for each VOLUME (so the data lands in the workspace
 *   instead of an anonymous volume), plus `./artifacts:<WORKDIR>/artifacts` for training images
 *   (WORKDIR "/" when unset);
 * - suggestShm `2g` when torch appears in the Dockerfile or requirements (Docker's default
 *   /dev/shm is 64 MB, see DEFAULT_SHM_SIZE_BYTES);
 * - offerGpus only with a GPU runtime. Never throws.
 */
export function guidedDefaults(input: GuidedInput): GuidedDefaults {
  const ports = portsFromExposed(input.exposedPorts)
    .map(formatPortBinding)
    .join(', ');
  const isTraining = looksLikeTraining(input.dockerfileText, input.imageCmd);
  const mounts: string[] = [];
  const targets = new Set<string>();
  for (const v of [...input.volumes].sort()) {
    const target = path.posix.normalize(v).replace(/(?<=.)\/$/, '');
    if (!target.startsWith('/') || target === '/' || targets.has(target) || /[\s,:]/.test(target)) continue;
    targets.add(target);
    mounts.push(`./${path.posix.basename(target)}:${target}`);
  }
  if (isTraining) {
    const workdir = input.workingDir === '' ? '/' : input.workingDir;
    const target = path.posix.join(workdir, 'artifacts');
    if (!targets.has(target) && !/[\s,:]/.test(target)) mounts.push(`./artifacts:${target}`);
  }
  const out: GuidedDefaults = { ports, mounts: mounts.join(', '), offerGpus: input.hasGpuRuntime, isTraining };
  if (mentionsTorch(input.dockerfileText, input.requirementsText)) out.suggestShm = { size: '2g', why: SHM_WHY };
  return out;
}

/**
 * Why mounting this host path needs a confirmation, or undefined when it does not:
 * `/` (the whole host filesystem), the home folder itself (SSH keys, cloud credentials,
 * browser profiles), or the Docker socket `/var/run/docker.sock` / `/run/docker.sock`
 * (the container could start privileged containers: root on this machine).
 * @param hostPath absolute host path (already resolved); @param homeDir the user's home folder.
 */
export function isSensitiveMountSource(hostPath: string, homeDir: string): string | undefined {
  const clean = (p: string): string => {
    const n = path.posix.normalize(p);
    return n.length > 1 ? n.replace(/\/+$/, '') : n;
  };
  const p = clean(hostPath);
  if (p === '/') return 'it mounts the whole host filesystem (/) into the container';
  if (homeDir !== '' && p === clean(homeDir)) return 'it mounts your whole home folder, with SSH keys and cloud credentials, into the container';
  if (p === '/var/run/docker.sock' || p === '/run/docker.sock') return 'it gives the container the Docker socket: full control of Docker, which is root on this machine';
  return undefined;
}

/** Whether a container path looks like input data, to offer `:ro`: `/data`, `*\/data`, `/datasets`, `*\/dataset(s)`. */
export function looksLikeDataMount(target: string): boolean {
  const base = path.posix.basename(path.posix.normalize(target).replace(/\/+$/, '')).toLowerCase();
  return base === 'data' || base === 'dataset' || base === 'datasets';
}
