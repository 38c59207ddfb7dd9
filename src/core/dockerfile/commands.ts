/**
 * Recognisers for the commands the rules care about: pip, apt, conda, ML servers and
 * training scripts. Each works on unwrapped invocations (see shell.ts).
 */
import { type Invocation, type Word, basename } from './shell';

export const PYTHON = /^python(\d+(\.\d+)?)?$/;

export function isPython(w: Word | undefined): boolean {
  return !!w && PYTHON.test(basename(w.value));
}

/** `-m module` of a python invocation: the index of the module word, or -1. */
export function pythonModule(words: Word[]): number {
  if (!isPython(words[0])) return -1;
  for (let i = 1; i < words.length; i++) {
    const v = words[i].value;
    if (v === '-m') return i + 1 < words.length ? i + 1 : -1;
    if (v.startsWith('-m') && v.length > 2 && !v.startsWith('--')) return -1; // -mpip: rare, skip
    if (/^-[WXc]$/.test(v)) { if (v === '-c') return -1; i++; continue; }
    if (!v.startsWith('-')) return -1;
  }
  return -1;
}

export interface PipInstall {
  inv: Invocation;
  /** Index of the `install` word. */
  installIdx: number;
  /** Words after `install`. */
  rest: Word[];
  /** All words of the pip command (general options before `install` included). */
  all: Word[];
}

const PIP_GENERAL_WITH_VALUE = new Set(['--log', '--proxy', '--retries', '--timeout', '--exists-action', '--trusted-host', '--cert', '--client-cert', '--cache-dir', '--python', '--use-feature', '--use-deprecated', '--keyring-provider', '--root-user-action']);

/** Finds `pip install` (pip, pip3, pip3.12, python -m pip, a path to pip) in an invocation. */
export function pipInstall(inv: Invocation): PipInstall | null {
  const w = inv.words;
  if (!w.length) return null;
  let i: number;
  if (/^pip(\d+(\.\d+)?)?$/.test(basename(w[0].value))) i = 1;
  else {
    const m = pythonModule(w);
    if (m < 0 || w[m].value !== 'pip') return null;
    i = m + 1;
  }
  for (; i < w.length; i++) {
    const v = w[i].value;
    if (v.startsWith('-')) {
      if (PIP_GENERAL_WITH_VALUE.has(v)) i++;
      continue;
    }
    if (v === 'install') return { inv, installIdx: i, rest: w.slice(i + 1), all: w };
    return null;
  }
  return null;
}

/** pip install options that take a value (as a separate word when no `=` is given). */
const INSTALL_WITH_VALUE = new Set([
  '-r', '--requirement', '-c', '--constraint', '-e', '--editable', '-i', '--index-url', '--extra-index-url',
  '-f', '--find-links', '-t', '--target', '--prefix', '--root', '--src', '--upgrade-strategy', '--platform',
  '--python-version', '--implementation', '--abi', '--progress-bar', '--trusted-host', '--proxy', '--cache-dir',
  '--log', '--retries', '--timeout', '--exists-action', '--cert', '--client-cert', '--global-option',
  '--config-settings', '-C', '--install-option', '--only-binary', '--no-binary', '--python', '--report',
  '--root-user-action', '--keyring-provider', '--use-feature', '--use-deprecated', '--group',
]);

export interface PipArgs {
  packages: Word[];
  /** option name -> values (`-r` -> ['requirements.txt']). Long names, as written. */
  options: Map<string, string[]>;
}

export function pipArgs(pi: PipInstall): PipArgs {
  const packages: Word[] = [];
  const options = new Map<string, string[]>();
  const r = pi.rest;
  const put = (k: string, v: string): void => {
    const a = options.get(k) ?? [];
    a.push(v);
    options.set(k, a);
  };
  for (let i = 0; i < r.length; i++) {
    const v = r[i].value;
    if (v === '--') continue;
    if (v.startsWith('--')) {
      const eq = v.indexOf('=');
      if (eq > 0) { put(v.slice(0, eq), v.slice(eq + 1)); continue; }
      if (INSTALL_WITH_VALUE.has(v) && i + 1 < r.length) { put(v, r[i + 1].value); i++; continue; }
      put(v, '');
      continue;
    }
    if (v.startsWith('-') && v.length >= 2) {
      const flag = v.slice(0, 2);
      if (INSTALL_WITH_VALUE.has(flag)) {
        if (v.length > 2) put(flag, v.slice(2));
        else if (i + 1 < r.length) { put(flag, r[i + 1].value); i++; }
        continue;
      }
      put(v, '');
      continue;
    }
    packages.push(r[i]);
  }
  return { packages, options };
}

/** Requirement text split: name, extras and the rest (version specifier / URL / markers). */
export function splitRequirement(spec: string): { name: string; nameEnd: number; rest: string } | null {
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?/.exec(spec);
  if (!m) return null;
  return { name: m[1], nameEnd: m[0].length, rest: spec.slice(m[0].length) };
}

/** How a `pip install` argument leaves its version: a bare name, a VCS URL without `@<ref>`, an archive URL without a version. */
export type UnpinnedKind = 'name' | 'vcs' | 'archive';

const VCS_URL = /^(git|hg|svn|bzr)\+[a-z]+:\/\//i;
const ARCHIVE = /\.(whl|zip|tar(\.gz|\.bz2|\.xz)?|tgz|tbz2?)$/i;

/**
 * A VCS URL (`git+https://host/org/repo[@ref][#egg=...]`) names a ref after the path;
 * an `@` in the host part is a user name (`git+ssh://git@github.com/...`), not a ref.
 */
function vcsHasRef(url: string): boolean {
  const path = url.replace(VCS_URL, '').split('#')[0];
  const slash = path.indexOf('/');
  return slash >= 0 && /@[^/]+$/.test(path.slice(slash));
}

/**
 * Whether a URL's file name carries a version (`v1.2.0.tar.gz`, `pkg-2.1-py3-none-any.whl`,
 * `release-20240101.zip`), as opposed to a moving name such as `main.zip`.
 */
function archiveHasVersion(url: string): boolean {
  const file = url.split(/[?#]/)[0].split('/').pop() ?? '';
  return /\d/.test(file.replace(ARCHIVE, '').replace(/(^|[-_.])(py|cp|pp)\d+/gi, '')) || /\.whl$/i.test(file);
}

/**
 * Whether a `pip install` argument leaves its version open, and how (lab-rules ML003):
 * `numpy`, `torch[cpu]` (a name), `git+https://github.com/org/repo` (a VCS URL without
 * `@<ref>`), `https://github.com/org/repo/archive/main.zip` (an archive URL whose file name
 * has no version). Null (pinned, or not a package) for version specifiers, local paths,
 * wheel and archive files, versioned archive URLs, VCS URLs with `@<ref>`, variables.
 * `next`: the following argument (`name @ url` direct references are judged by the URL).
 */
export function unpinnedKind(value: string, next?: string): UnpinnedKind | null {
  if (value.includes('$')) return null;
  const at = /^[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?\s*@\s*(.+)$/.exec(value);
  if (at) return unpinnedKind(at[2]); // name@url in one word
  if (VCS_URL.test(value)) return vcsHasRef(value) ? null : 'vcs';
  if (/^[a-z]+:\/\//i.test(value)) return ARCHIVE.test(value.split(/[?#]/)[0]) && !archiveHasVersion(value) ? 'archive' : null;
  if (/^[.~/]/.test(value) || value.includes('/') || value.includes('\\')) return null;
  if (ARCHIVE.test(value)) return null;
  if (value.includes('@') || next === '@') return null;
  const s = splitRequirement(value);
  if (!s) return null;
  const rest = s.rest.split(';')[0].trim();
  return /[=<>!~]/.test(rest) ? null : 'name';
}

/** pip's own tooling, which `pip install -U pip setuptools wheel` upgrades in place. */
const INSTALLER = new Set(['pip', 'setuptools', 'wheel']);

/**
 * The package arguments of a `pip install` that leave their version open (lab-rules ML003),
 * with their kind. Upgrading the installer itself (`-U`/`--upgrade` of pip, setuptools,
 * wheel) is not counted.
 */
export function unpinnedPackages(pi: PipInstall): { word: Word; kind: UnpinnedKind }[] {
  const { packages, options } = pipArgs(pi);
  const upgrade = options.has('--upgrade') || options.has('-U') || pi.rest.some((w) => /^-[a-zA-Z]*U[a-zA-Z]*$/.test(w.value) && !w.value.startsWith('--'));
  const out: { word: Word; kind: UnpinnedKind }[] = [];
  for (let i = 0; i < packages.length; i++) {
    const v = packages[i].value;
    if (v === '@') continue;
    if (packages[i + 1]?.value === '@' && packages[i + 2]) {
      // `name @ url`: the URL decides.
      const kind = unpinnedKind(packages[i + 2].value);
      if (kind) out.push({ word: packages[i + 2], kind });
      i += 2;
      continue;
    }
    const kind = unpinnedKind(v, packages[i + 1]?.value);
    if (!kind) continue;
    if (kind === 'name' && upgrade && INSTALLER.has(normalizeName(splitRequirement(v)?.name ?? ''))) continue;
    out.push({ word: packages[i], kind });
  }
  return out;
}

/** PEP 503 name normalisation. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

export interface AptInstall {
  inv: Invocation;
  tool: 'apt-get' | 'apt' | 'aptitude';
  installIdx: number;
}

export function aptSubcommand(inv: Invocation): { tool: string; idx: number } | null {
  const w = inv.words;
  if (!w.length) return null;
  const tool = basename(w[0].value);
  if (tool !== 'apt-get' && tool !== 'apt') return null;
  for (let i = 1; i < w.length; i++) {
    const v = w[i].value;
    if (v.startsWith('-')) {
      if ((v === '-o' || v === '-c' || v === '-t') && i + 1 < w.length) i++;
      continue;
    }
    return { tool, idx: i };
  }
  return null;
}

export function aptInstall(inv: Invocation): AptInstall | null {
  const s = aptSubcommand(inv);
  if (!s || inv.words[s.idx].value !== 'install') return null;
  return { inv, tool: s.tool as 'apt-get' | 'apt', installIdx: s.idx };
}

/**
 * A conda/mamba/micromamba command that downloads packages (lab-rules ML021): `install`,
 * `create`, `update`/`upgrade`, `env create`, `env update`. The tool's name and subcommand.
 */
export function condaInstall(inv: Invocation): { tool: string; sub: string } | null {
  const w = inv.words;
  if (!w.length) return null;
  const tool = basename(w[0].value);
  if (tool !== 'conda' && tool !== 'mamba' && tool !== 'micromamba') return null;
  const subs = w.slice(1).filter((x) => !x.value.startsWith('-')).map((x) => x.value);
  if (subs[0] === 'install' || subs[0] === 'create' || subs[0] === 'update' || subs[0] === 'upgrade') return { tool, sub: subs[0] };
  if (subs[0] === 'env' && (subs[1] === 'create' || subs[1] === 'update')) return { tool, sub: `env ${subs[1]}` };
  return null;
}

export function isCondaClean(inv: Invocation): boolean {
  const w = inv.words;
  return w.length >= 2 && /^(conda|mamba|micromamba)$/.test(basename(w[0].value)) && w.slice(1).some((x) => x.value === 'clean');
}

/** Training detection (ML026/ML027): a script or module whose name or flags say train/fit. */
const TRAIN_WORD = /(^|[^a-z])(train|fit)/i;

export function trainingScript(inv: Invocation): Word | null {
  const w = inv.words;
  if (!w.length) return null;
  const prog = basename(w[0].value);
  let i = 1;
  let scriptIdx = -1;
  if (PYTHON.test(prog)) {
    for (; i < w.length; i++) {
      const v = w[i].value;
      if (v === '-c') return null;
      if (v === '-m') { scriptIdx = i + 1 < w.length ? i + 1 : -1; break; }
      if (/^-[WX]$/.test(v)) { i++; continue; }
      if (v.startsWith('-')) continue;
      scriptIdx = i;
      break;
    }
  } else if (prog === 'torchrun' || prog === 'deepspeed' || (prog === 'accelerate' && w[1]?.value === 'launch')) {
    if (prog === 'accelerate') i = 2;
    for (; i < w.length; i++) {
      const v = w[i].value;
      if (v.startsWith('-')) continue;
      if (/\.py$/.test(v) || !/^\d+$/.test(v)) { scriptIdx = i; break; }
    }
  } else return null;
  if (scriptIdx < 0 || scriptIdx >= w.length) return null;
  const script = w[scriptIdx];
  const name = basename(script.value).replace(/\.py$/, '').split('.').pop() ?? '';
  if (TRAIN_WORD.test(name)) return script;
  for (const a of w.slice(scriptIdx + 1)) {
    const v = a.value;
    if (/^--?(train|fit)(\b|_|-|=|$)/i.test(v) || /=(train|fit)$/i.test(v) || /^(train|fit)$/i.test(v)) return script;
  }
  return null;
}

const PYTHON_TOOLS = new Set(['flask', 'uvicorn', 'gunicorn', 'streamlit', 'jupyter', 'jupyter-lab', 'jupyter-notebook', 'gradio', 'tensorboard', 'mlflow', 'torchrun', 'accelerate', 'deepspeed', 'pytest', 'celery', 'hypercorn', 'waitress-serve', 'panel', 'bokeh', 'dvc', 'huggingface-cli', 'ipython', 'bentoml']);

/** The invocation runs Python (the interpreter or a Python tool); `-u` means unbuffered already. */
export function runsPython(inv: Invocation): { python: boolean; unbuffered: boolean } {
  const w = inv.words;
  if (!w.length) return { python: false, unbuffered: false };
  const prog = basename(w[0].value);
  if (PYTHON.test(prog)) {
    let unbuffered = false;
    for (const x of w.slice(1)) {
      if (!x.value.startsWith('-') || x.value === '-m' || x.value === '-c') break;
      if (/^-[A-Za-z]*u/.test(x.value) && !x.value.startsWith('--')) unbuffered = true;
    }
    return { python: true, unbuffered };
  }
  return { python: PYTHON_TOOLS.has(prog), unbuffered: false };
}
