/**
 * ML-aware completion for Dockerfiles and compose files, as plain data (the editor layer turns
 * it into completion items): where the cursor is (an image after FROM, a tag after `name:`,
 * EXPOSE's port, a cache mount's target), and what to offer there.
 */
import { buildModel } from '../dockerfile/model';
import { findServers } from '../dockerfile/servers';

/** What the text before the cursor asks for; `start` is the 0-based column where the replaced word begins. */
export type CompletionSpot =
  | { kind: 'image'; start: number; typed: string }
  | { kind: 'tag'; start: number; image: string; typed: string }
  | { kind: 'exposePort'; start: number; typed: string }
  | { kind: 'cacheTarget'; start: number; typed: string }
  | { kind: 'runFlag'; start: number; typed: string }
  | { kind: 'mountOption'; start: number; typed: string; type: string | undefined };

/**
 * Reads a Dockerfile line up to the cursor (`before` = the line's text before the cursor, the
 * keyword on this line: continuation lines are not followed).
 *   `FROM py`                      -> image, typed 'py'
 *   `FROM --platform=$X python:3.1` -> tag of python, typed '3.1'
 *   `EXPOSE 80`                     -> exposePort
 *   `RUN --mount=type=cache,target=/ro` -> cacheTarget
 */
export function dockerfileSpot(before: string): CompletionSpot | undefined {
  const from = /^(\s*FROM\s+(?:--\S+\s+)*)(\S*)$/i.exec(before);
  if (from) return imageOrTag(from[1].length, from[2]);
  const expose = /^(\s*EXPOSE\s+(?:\S+\s+)*)(\d*)$/i.exec(before);
  if (expose) return { kind: 'exposePort', start: expose[1].length, typed: expose[2] };
  const mount = /--mount=(\S*?)((?:target|dst|destination)=)([^,\s]*)$/i.exec(before);
  if (mount && /(^|,)type=cache(,|$)/i.test(mount[1])) return { kind: 'cacheTarget', start: before.length - mount[3].length, typed: mount[3] };
  // RUN's flags, which dockerfile-language-service 0.16 does not complete.
  const flag = /^(\s*RUN\s+(?:--\S+\s+)*)(-[-\w]*)$/i.exec(before);
  if (flag) return { kind: 'runFlag', start: flag[1].length, typed: flag[2] };
  const option = /^\s*RUN\s+(?:--\S+\s+)*--mount=((?:[^\s,]*,)*)([\w-]*)$/i.exec(before);
  if (option) return { kind: 'mountOption', start: before.length - option[2].length, typed: option[2], type: /(?:^|,)type=(\w+)/.exec(option[1])?.[1] };
  return undefined;
}

/** A compose line up to the cursor: `image: name:ta` -> tag of name (`image:` values only; tags need a `:`). */
export function composeSpot(before: string): CompletionSpot | undefined {
  const m = /^(\s*(?:-\s+)?image:\s*["']?)(\S*)$/.exec(before);
  if (!m) return undefined;
  const spot = imageOrTag(m[1].length, m[2]);
  return spot?.kind === 'tag' ? spot : undefined;
}

function imageOrTag(start: number, word: string): CompletionSpot | undefined {
  if (word.includes('@') || word.includes('$')) return undefined;
  // The tag's colon is after the last slash (`127.0.0.1:5000/lab/model:v` has a port colon too).
  const slash = word.lastIndexOf('/');
  const colon = word.lastIndexOf(':');
  if (colon > slash) return { kind: 'tag', start: start + colon + 1, image: word.slice(0, colon), typed: word.slice(colon + 1) };
  return { kind: 'image', start, typed: word };
}

/** RUN's flags (Dockerfile reference, "RUN"): what each does, and the text inserted (a snippet). */
export const RUN_FLAGS: ReadonlyArray<{ flag: string; snippet: string; description: string }> = [
  { flag: '--mount', snippet: '--mount=type=${1|cache,bind,secret,ssh,tmpfs|},', description: 'Mounts a cache, a bind from the context or a stage, a build secret, an SSH agent socket or a tmpfs for this RUN only.' },
  { flag: '--network', snippet: '--network=${1|default,none,host|}', description: 'The network this RUN sees: default, none (no network at all) or host (needs the network.host entitlement).' },
  { flag: '--security', snippet: '--security=${1|sandbox,insecure|}', description: 'insecure runs without the sandbox (needs the security.insecure entitlement).' },
];

/** `--mount` options by type (Dockerfile reference, "RUN --mount"); `type=` first. */
export const MOUNT_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  '': ['type=cache', 'type=bind', 'type=secret', 'type=ssh', 'type=tmpfs'],
  cache: ['target=', 'id=', 'sharing=locked', 'sharing=shared', 'sharing=private', 'from=', 'source=', 'mode=', 'uid=', 'gid=', 'readonly'],
  bind: ['target=', 'source=', 'from=', 'readwrite'],
  secret: ['id=', 'target=', 'env=', 'required=true', 'mode=', 'uid=', 'gid='],
  ssh: ['id=', 'target=', 'required=true', 'mode=', 'uid=', 'gid='],
  tmpfs: ['target=', 'size='],
};

/** One suggested base image: its repository and why one would start from it. */
export interface BaseImage {
  name: string;
  description: string;
}

/**
 * Base images for ML work, offered after FROM when the engine has nothing better. Descriptions
 * from each image's own page (Docker Hub, quay.io, NVIDIA NGC).
 */
export const ML_BASE_IMAGES: readonly BaseImage[] = [
  { name: 'python', description: 'Official Python; the -slim tags are a small start for scikit-learn, Flask or FastAPI apps.' },
  { name: 'pytorch/pytorch', description: 'PyTorch with CUDA and cuDNN; -runtime tags to run, -devel tags to build extensions.' },
  { name: 'nvidia/cuda', description: 'CUDA base, runtime and devel images on Ubuntu/Rocky; add your own Python.' },
  { name: 'tensorflow/tensorflow', description: 'TensorFlow; -gpu tags with CUDA, -jupyter tags with a notebook server.' },
  { name: 'quay.io/jupyter/scipy-notebook', description: 'Jupyter Docker Stacks: JupyterLab with the SciPy stack, runs as jovyan.' },
  { name: 'quay.io/jupyter/pytorch-notebook', description: 'Jupyter Docker Stacks: scipy-notebook plus PyTorch (cuda12 tags for GPUs).' },
  { name: 'quay.io/jupyter/tensorflow-notebook', description: 'Jupyter Docker Stacks: scipy-notebook plus TensorFlow.' },
  { name: 'huggingface/transformers-pytorch-gpu', description: 'Hugging Face Transformers with PyTorch and CUDA, as used in its CI.' },
  { name: 'ghcr.io/huggingface/text-generation-inference', description: 'Hugging Face TGI: serves LLMs over HTTP on port 80.' },
  { name: 'mambaorg/micromamba', description: 'micromamba on Debian: conda environments in a small image, runs as mambauser.' },
  { name: 'pytorch/torchserve', description: 'TorchServe model server (ports 8080/8081/8082), runs as model-server.' },
  { name: 'nvcr.io/nvidia/pytorch', description: 'NVIDIA NGC PyTorch: monthly builds tuned for NVIDIA GPUs (YY.MM-py3 tags).' },
];

/** A cache mount target with what it caches and the RUN it pairs with. */
export interface CacheTarget {
  path: string;
  description: string;
}

/**
 * Cache mount targets for package managers (`RUN --mount=type=cache,target=...`): the default
 * cache folders of pip, uv, conda and apt for the root user, as Docker's "Optimize cache usage"
 * guide and each tool's documentation give them. apt also needs `sharing=locked` and the
 * docker-clean hook removed (Dockerfile reference, RUN --mount=type=cache example).
 */
export const CACHE_TARGETS: readonly CacheTarget[] = [
  { path: '/root/.cache/pip', description: "pip's download and wheel cache (root). Then drop --no-cache-dir." },
  { path: '/root/.cache/uv', description: "uv's cache (root); pair with UV_LINK_MODE=copy." },
  { path: '/opt/conda/pkgs', description: "conda's package cache in the continuumio/miniconda images." },
  { path: '/home/mambauser/.cache/mamba', description: "micromamba's cache as mambauser (mambaorg/micromamba); or /opt/conda/pkgs as root." },
  { path: '/var/cache/apt', description: "apt's downloaded .deb files; add sharing=locked." },
  { path: '/var/lib/apt', description: "apt's package lists; add sharing=locked." },
  { path: '/root/.cache/huggingface', description: 'Hugging Face hub downloads (models, datasets) made at build time.' },
];

/**
 * Ports the lab's app listens on, as the lab guidance finds them (ML007/ML029: servers in the
 * final stage's CMD/ENTRYPOINT, with their flags, ENV and defaults). Deduplicated, in order.
 */
export function appPorts(text: string): { port: number; tool: string }[] {
  let model;
  try {
    model = buildModel(text);
  } catch {
    return [];
  }
  const final = model.stages[model.stages.length - 1];
  if (!final) return [];
  const out: { port: number; tool: string }[] = [];
  for (const s of findServers(model, final)) if (s.port !== null && !out.some((o) => o.port === s.port)) out.push({ port: s.port, tool: s.tool });
  return out;
}

/** The engine's image references (`repo:tag`), each once, sorted: what FROM offers first. Dangling images have none. */
export function engineImageNames(repoTags: readonly string[][]): string[] {
  const out = new Set<string>();
  for (const tags of repoTags) for (const t of tags) if (t && t !== '<none>:<none>') out.add(t);
  return [...out].sort();
}
