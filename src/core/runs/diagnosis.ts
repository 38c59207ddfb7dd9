/**
 * Why a run died, in one sentence that says what happened and what to change, from what the
 * engine and the logs tell after the exit: the exit code, `State.OOMKilled`, the last log lines,
 * and the run's own settings (memory limit, shm size, mounts) and the workspace's requirements
 * file. Pure logic: src/ui/shared/runHistory.ts gathers the facts, the exit notification, the
 * Training Run panel and the run record show the result.
 *
 * The message texts matched are the programs' own (sources beside each pattern); exit codes
 * above 128 are 128 + the signal number (POSIX shells and Docker report a signal death so:
 * 137 = SIGKILL 9, 139 = SIGSEGV 11, 143 = SIGTERM 15, 135 = SIGBUS 7).
 */
import { DEFAULT_SHM_SIZE_BYTES } from '../run/resources';
import { formatBinaryBytes } from './stats';

export type DiagnosisKind = 'oomKilled' | 'killed' | 'stopped' | 'segfault' | 'shm' | 'cudaOom' | 'missingModule' | 'missingFile';

/** What the user can do about it, as the notification's button offers it. */
export type DiagnosisAction =
  | { kind: 'moreMemory'; label: string; memory: number }
  | { kind: 'moreShm'; label: string; shmSize: number }
  | { kind: 'openRequirements'; label: string; file: string };

export interface Diagnosis {
  kind: DiagnosisKind;
  /** one sentence: what happened, then what to change */
  message: string;
  /** the log line that gave it away, when one did */
  evidence?: string;
  action?: DiagnosisAction;
}

/** What is known about a run that has exited. */
export interface DeathFacts {
  exitCode: number | undefined;
  /** `State.OOMKilled` of the container; undefined when unknown (the engine removed it at its exit, `--rm`) */
  oomKilled: boolean | undefined;
  /** the last lines the container printed, oldest first (stdout and stderr together) */
  lastLines: string[];
  /** the run's memory limit in bytes (`--memory`), undefined for none */
  memory?: number;
  /** the run's /dev/shm size in bytes (`--shm-size`), undefined for Docker's default */
  shmSize?: number;
  /** `--ipc host` gives the host's /dev/shm, not a sized one */
  ipcMode?: string;
  /** the run's mounts: host source (or volume name) and container target */
  mounts: Array<{ type: string; source: string; target: string }>;
  /** the container's working directory, to resolve relative paths in messages */
  workingDir?: string;
  /** highest memory in use seen during the run, in bytes */
  peakMemoryBytes?: number;
  /** the requirements file of the workspace (path as shown to the user), if there is one */
  requirementsFile?: string;
}

/** The first line (searching from the end) that matches. */
function lastMatch(lines: string[], re: RegExp): { line: string; m: RegExpExecArray } | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = re.exec(lines[i]);
    if (m) return { line: lines[i].trim(), m };
  }
  return undefined;
}

/** Rounds a size up to a whole number of MiB (below 1 GiB) or GiB, so a suggested limit reads well. */
function roundSize(bytes: number): number {
  const mib = 1024 * 1024;
  const gib = 1024 * mib;
  return bytes >= gib ? Math.ceil(bytes / gib) * gib : Math.ceil(bytes / mib) * mib;
}

// --- shared memory ---------------------------------------------------------------------------
// PyTorch torch/csrc/DataLoader.cpp (SIGBUS handler): "ERROR: Unexpected bus error encountered in
// worker. This might be caused by insufficient shared memory (shm)."; its _error_if_any_worker_fails:
// "DataLoader worker (pid N) is killed by signal: Bus error. It is possible that dataloader's
// workers are out of shared memory. Please try to raise your shared memory limit."
// PyTorch's shared-memory allocator: "RuntimeError: unable to write to file </torch_739_144252761_4>:
// No space left on device (28)" (files under /dev/shm named /torch_*).
// A shell reports a child killed by SIGBUS as "Bus error" (dash, busybox) or, in bash,
// "train.sh: line 3:    12 Bus error               (core dumped) python train.py".
const SHM_LINE = new RegExp(
  [
    'insufficient shared memory',
    'out of shared memory',
    'killed by signal: Bus error',
    '(?:^|:\\s+|\\d\\s+)Bus error\\b',
    'unable to write to file </torch_[^>]*>',
    '/dev/shm\\S*.*No space left on device',
    'No space left on device.*/dev/shm',
  ].join('|'),
  'i',
);

// --- CUDA out of memory ------------------------------------------------------------------------
// PyTorch c10/cuda/CUDACachingAllocator.cpp: "CUDA out of memory. Tried to allocate 20.00 MiB ...";
// the CUDA runtime's cudaErrorMemoryAllocation as PyTorch raises it: "RuntimeError: CUDA error: out of memory";
// TensorFlow: "Resource exhausted: OOM when allocating tensor with shape[...] ... on .../device:GPU:0".
const CUDA_OOM = /CUDA out of memory(?:\. Tried to allocate ([\d.]+ [KMGT]?i?B))?|CUDA error: out of memory|CUBLAS_STATUS_ALLOC_FAILED|OOM when allocating tensor.*GPU/i;

// --- Python import and file errors ---------------------------------------------------------------
// CPython: "ModuleNotFoundError: No module named 'torch'" (also dotted: 'torch.utils').
const MISSING_MODULE = /ModuleNotFoundError: No module named '([^']+)'/;
// CPython OSError text: "FileNotFoundError: [Errno 2] No such file or directory: '/data/train.csv'";
// CPython for a missing script: "python3: can't open file '/app/train.py': [Errno 2] No such file or directory";
// busybox/coreutils: "cat: can't open '/data/x': No such file or directory", "cat: /data/x: No such file or directory".
const MISSING_FILE = /No such file or directory: '([^']+)'|can't open (?:file )?'([^']+)'.*No such file or directory|^[\w.-]+: (\/[^:]+): No such file or directory/;

/** Import names whose pip package is named otherwise (the common ones of ML code). */
const PIP_NAMES: Record<string, string> = {
  sklearn: 'scikit-learn',
  cv2: 'opencv-python',
  PIL: 'Pillow',
  yaml: 'PyYAML',
  skimage: 'scikit-image',
  bs4: 'beautifulsoup4',
  dotenv: 'python-dotenv',
};

function posixResolve(path: string, cwd: string | undefined): string {
  const abs = path.startsWith('/') ? path : `${(cwd ?? '/').replace(/\/$/, '')}/${path}`;
  const out: string[] = [];
  for (const part of abs.split('/')) {
    if (!part || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/** The mount whose container path holds `path` (the deepest one). */
function mountOf(path: string, mounts: DeathFacts['mounts']): DeathFacts['mounts'][number] | undefined {
  return mounts
    .filter((m) => path === m.target || path.startsWith(`${m.target.replace(/\/$/, '')}/`))
    .sort((a, b) => b.target.length - a.target.length)[0];
}

/**
 * Says why a run died, or undefined when it exited 0 or nothing explains the exit. Checked in
 * this order (the first that fits wins): killed for memory (`OOMKilled`), shared memory too
 * small, CUDA out of memory, a missing Python module, a missing file, a segfault (139), a bus
 * error (135), SIGKILL (137) and SIGTERM (143) from outside.
 */
export function diagnoseExit(f: DeathFacts): Diagnosis | undefined {
  if (f.exitCode === 0 || f.exitCode === undefined) return undefined;
  const lines = f.lastLines;

  // Without OOMKilled (the container is gone), a SIGKILL with the peak within 5% of the limit is taken for one.
  const nearLimit = f.oomKilled === undefined && f.exitCode === 137 && !!f.memory && f.peakMemoryBytes !== undefined && f.peakMemoryBytes >= f.memory * 0.95;
  if (f.oomKilled || nearLimit) {
    const how = f.oomKilled ? 'OOMKilled' : 'its memory use was at the limit; the engine removed the container, so OOMKilled could not be read';
    const peak = f.peakMemoryBytes !== undefined ? `, peak seen ${formatBinaryBytes(f.peakMemoryBytes)}` : '';
    if (f.memory) {
      const more = roundSize(f.memory * 2);
      return {
        kind: 'oomKilled',
        message: `The container was killed for memory (exit code ${f.exitCode}, ${how}): it reached its limit of ${formatBinaryBytes(f.memory)}${peak}; raise the memory limit (e.g. to ${formatBinaryBytes(more)}) or make the script use less (smaller batches, fewer DataLoader workers).`,
        action: { kind: 'moreMemory', label: `Re-run with ${formatBinaryBytes(more)} Memory`, memory: more },
      };
    }
    return {
      kind: 'oomKilled',
      message: `The container was killed for memory (exit code ${f.exitCode}, OOMKilled) with no memory limit of its own${peak}: the engine's machine ran out; give the engine more memory or make the script use less (smaller batches, fewer DataLoader workers).`,
    };
  }

  const shm = lastMatch(lines, SHM_LINE);
  if (shm || f.exitCode === 135) {
    if (f.ipcMode === 'host') {
      return {
        kind: 'shm',
        message: `A process died of a bus error (${shm ? `"${shm.line}"` : 'exit code 135'}), with the host's /dev/shm (ipc: host): the host's shared memory is full; free space in the host's /dev/shm or use fewer DataLoader workers.`,
        evidence: shm?.line,
      };
    }
    const current = f.shmSize ?? DEFAULT_SHM_SIZE_BYTES;
    const more = roundSize(Math.max(current * 4, 1024 ** 3));
    return {
      kind: 'shm',
      message: `The container's shared memory (/dev/shm, ${formatBinaryBytes(current)}${f.shmSize === undefined ? ', Docker\'s default' : ''}) was too small${shm ? ` ("${shm.line}")` : ' (a bus error, exit code 135)'}; re-run with a larger shmSize (e.g. ${formatBinaryBytes(more)}) or use fewer DataLoader workers.`,
      evidence: shm?.line,
      action: { kind: 'moreShm', label: `Re-run with ${formatBinaryBytes(more)} Shared Memory`, shmSize: more },
    };
  }

  const cuda = lastMatch(lines, CUDA_OOM);
  if (cuda) {
    const tried = cuda.m[1] ? ` while allocating ${cuda.m[1]}` : '';
    return {
      kind: 'cudaOom',
      message: `The GPU ran out of memory${tried} (CUDA out of memory); use a smaller batch size (or gradient accumulation, mixed precision) so the model fits on the GPU.`,
      evidence: cuda.line,
    };
  }

  const mod = lastMatch(lines, MISSING_MODULE);
  if (mod) {
    const top = mod.m[1].split('.')[0];
    const pip = PIP_NAMES[top] ?? top;
    const pkg = pip === top ? `'${top}'` : `'${top}' (pip package ${pip})`;
    return {
      kind: 'missingModule',
      message: f.requirementsFile
        ? `Python could not import the module ${pkg}: it is not installed in the image; add ${pip} to ${f.requirementsFile} and rebuild the image.`
        : `Python could not import the module ${pkg}: it is not installed in the image; add ${pip} to the image's requirements (e.g. a requirements.txt installed by the Dockerfile) and rebuild.`,
      evidence: mod.line,
      ...(f.requirementsFile ? { action: { kind: 'openRequirements' as const, label: `Open ${f.requirementsFile.split('/').pop()}`, file: f.requirementsFile } } : {}),
    };
  }

  const file = lastMatch(lines, MISSING_FILE);
  if (file) {
    const raw = file.m[1] ?? file.m[2] ?? file.m[3];
    const path = posixResolve(raw, f.workingDir);
    const mount = mountOf(path, f.mounts);
    if (mount) {
      const what = mount.type === 'volume' ? `the named volume ${mount.source}` : `the bind mount ${mount.source}`;
      const rel = path.slice(mount.target.replace(/\/$/, '').length).replace(/^\//, '');
      return {
        kind: 'missingFile',
        message: `The script did not find ${path}, which would come from ${what} (mounted at ${mount.target}); check that ${rel || 'it'} exists in ${mount.source}${mount.type === 'volume' ? '' : ' on the engine\'s machine'}, or fix the path.`,
        evidence: file.line,
      };
    }
    return {
      kind: 'missingFile',
      message: `The script did not find ${path}: neither the image nor any mount provides it; mount the folder that holds it (e.g. a bind mount to ${path.split('/').slice(0, -1).join('/') || '/'}) or copy it into the image.`,
      evidence: file.line,
    };
  }

  if (f.exitCode === 139) {
    return {
      kind: 'segfault',
      message: 'The program crashed with a segmentation fault (exit code 139, SIGSEGV), usually in native code (a C extension, CUDA, or a wheel built for another CPU or library version); check the versions the image installs, and run with PYTHONFAULTHANDLER=1 to see where it crashed.',
    };
  }
  if (f.exitCode === 137) {
    if (f.oomKilled === undefined) {
      return {
        kind: 'killed',
        message: 'The container was killed with SIGKILL (exit code 137): by a Kill or Stop, by the engine\'s host, or for memory (the engine removed the container at its exit, so OOMKilled could not be read); run it without remove-on-exit to tell, and let the script save checkpoints so a run can resume.',
      };
    }
    return {
      kind: 'killed',
      message: 'The container was killed with SIGKILL (exit code 137), not for memory: a Kill, a Stop that outlasted its grace period, or the engine\'s host ended it; if nobody stopped it, check the host, and let the script save checkpoints so a run can resume.',
    };
  }
  if (f.exitCode === 143) {
    return {
      kind: 'stopped',
      message: 'The container was stopped with SIGTERM (exit code 143), as Stop does; if nobody stopped it, check what did (a restart or shutdown of the engine), and handle SIGTERM in the script to save a checkpoint before it exits.',
    };
  }
  return undefined;
}

/**
 * The last `n` lines of a text stream, kept as it arrives (for {@link DeathFacts.lastLines}):
 * `push` chunks; a line is cut at 1,000 characters so one huge line cannot hold the memory.
 */
export class LastLines {
  private lines: string[] = [];
  private partial = '';

  constructor(private readonly n = 200) {}

  push(text: string): void {
    const parts = (this.partial + text).split(/\r?\n|\r/);
    this.partial = parts.pop() ?? '';
    if (this.partial.length > 4_000) this.partial = this.partial.slice(-4_000);
    for (const p of parts) if (p.trim()) this.lines.push(p.slice(0, 1_000));
    if (this.lines.length > this.n * 2) this.lines = this.lines.slice(-this.n);
  }

  /** the kept lines, oldest first, with an unfinished last line */
  get(): string[] {
    const all = this.partial.trim() ? [...this.lines, this.partial.slice(0, 1_000)] : this.lines;
    return all.slice(-this.n);
  }
}
