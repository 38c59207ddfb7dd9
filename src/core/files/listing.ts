/**
 * Listing one folder of a container's file system, one level at a time, for the Files node of
 * the Containers view and the `mllab-container:` file system.
 *
 * Two ways, chosen by the container's state (src/engine/files.ts):
 * - **A running container: one exec of `find -maxdepth 1`** with a fixed, machine-readable
 *   format ({@link LIST_FOLDER_SCRIPT}). It reads only the folder's own entries, so its cost does
 *   not grow with what lies below them (a checkpoint folder of 20 GB lists as fast as an empty one).
 * - **A stopped container (or one without `sh`/`find`): `GET /containers/{id}/archive`**, the only
 *   way into a container that does not run. The engine streams a tar of the folder's whole
 *   subtree, in the order of Go's `filepath.Walk` (lexical, depth first), so the last direct child
 *   is known only at the end. {@link ArchiveLister} reads the headers as they arrive and skips the
 *   file contents; the caller stops reading after a time budget and says the listing is partial.
 *   Everything the stream held is indexed, so opening a subfolder later needs no second stream.
 */
import * as path from 'node:path';

/** What an entry is; 'other' covers devices, sockets and FIFOs. */
export type ContainerFileKind = 'dir' | 'file' | 'symlink' | 'other';

/** One entry of a container folder. */
export interface ContainerFileEntry {
  /** base name */
  name: string;
  /** absolute posix path in the container */
  path: string;
  kind: ContainerFileKind;
  /** bytes (for a symlink: the length of its target text, as lstat gives it) */
  size: number;
  /** permission bits (0o7777) */
  mode: number;
  /** ms since the epoch */
  mtimeMs: number;
  uid: number;
  gid: number;
  /** for a symlink: its target as written */
  linkTarget?: string;
  /** for a symlink: what its target is, when known */
  targetKind?: 'dir' | 'file' | 'missing';
}

/**
 * The shell script a running container runs to list one folder (`sh -c <script> sh <folder>`).
 * GNU find (Debian, Ubuntu, most Python and CUDA images) prints each entry with `-printf` as
 * `<type> <octal mode> <size> <mtime s.frac> <uid> <gid> <target type> <name>\0<link target>\0`,
 * NUL-terminated so any name is safe, with no process per entry. BusyBox find (Alpine, busybox)
 * has no `-printf`: there one `stat -c` per batch of entries prints
 * `<raw hex mode> <size> <mtime s> <uid> <gid> <path>` lines, then a `links` section gives each
 * symlink's target type (`stat -L`, 0 when missing) and target text (`readlink`), NUL-terminated.
 * The first line names the format. `-H` follows the folder
 * itself when it is a symlink. Exit status 3: the path is missing; 4: it is not a folder.
 */
export const LIST_FOLDER_SCRIPT = [
  '[ -e "$1" ] || exit 3',
  '[ -d "$1" ] || exit 4',
  'if find / -maxdepth 0 -printf "" >/dev/null 2>&1; then',
  '  echo gnu',
  '  exec find -H "$1" -mindepth 1 -maxdepth 1 -printf "%y %m %s %T@ %U %G %Y %f\\0%l\\0"',
  'fi',
  'echo stat',
  'find -H "$1" -mindepth 1 -maxdepth 1 -exec stat -c "%f %s %Y %u %g %n" {} +',
  'echo links',
  `find -H "$1" -mindepth 1 -maxdepth 1 -type l -exec sh -c 'for f do t=$(stat -L -c %f "$f" 2>/dev/null || echo 0); printf "%s %s\\0%s\\0" "$t" "$f" "$(readlink "$f")"; done' sh {} +`,
'exit 0',
].join('\n');

/** The exec command that lists `folder` ({@link LIST_FOLDER_SCRIPT}). */
export function listFolderCommand(folder: string): string[] {
  return ['sh', '-c', LIST_FOLDER_SCRIPT, 'sh', folder];
}

/** Exit status of {@link LIST_FOLDER_SCRIPT} when the folder does not exist. */
export const LIST_EXIT_MISSING = 3;
/** Exit status of {@link LIST_FOLDER_SCRIPT} when the path is not a folder. */
export const LIST_EXIT_NOT_FOLDER = 4;

const GNU_TYPES: Record<string, ContainerFileKind> = { d: 'dir', f: 'file', l: 'symlink' };

/** A raw `st_mode` (as `stat -c %f` prints it, hex) -> kind (S_IFMT bits). */
function kindOfRawMode(raw: number): ContainerFileKind {
  const fmt = raw & 0o170000;
  return fmt === 0o040000 ? 'dir' : fmt === 0o100000 ? 'file' : fmt === 0o120000 ? 'symlink' : 'other';
}

/** `find -printf %Y` of a symlink: d for a folder, N for a missing target, L for a loop. */
function targetKindOf(y: string): ContainerFileEntry['targetKind'] {
  return y === 'd' ? 'dir' : y === 'N' || y === 'L' ? 'missing' : 'file';
}

/** The absolute path of `name` in `folder`. */
export function childPath(folder: string, name: string): string {
  return path.posix.join(folder, name);
}

/**
 * Parses what {@link LIST_FOLDER_SCRIPT} printed (stdout as bytes; names are UTF-8).
 * @param folder the folder listed (absolute posix path), for the entries' paths
 * @returns the entries, unsorted
 * @throws Error when the output is in neither format
 */
export function parseFolderListing(stdout: Buffer, folder: string): ContainerFileEntry[] {
  const nl = stdout.indexOf(10);
  const format = stdout.subarray(0, nl < 0 ? stdout.length : nl).toString('utf8').trim();
  const body = nl < 0 ? Buffer.alloc(0) : stdout.subarray(nl + 1);
  if (format === 'gnu') return parseGnu(body, folder);
  if (format === 'stat') return parseStat(body.toString('utf8'), folder);
  throw new Error(`unexpected folder listing output: ${stdout.subarray(0, 200).toString('utf8')}`);
}

function parseGnu(body: Buffer, folder: string): ContainerFileEntry[] {
  const fields = body.toString('utf8').split('\0');
  const out: ContainerFileEntry[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const m = /^(\S) ([0-7]+) (\d+) ([\d.]+) (\d+) (\d+) (\S) ([\s\S]*)$/.exec(fields[i]);
    if (!m) continue;
    const kind = GNU_TYPES[m[1]] ?? 'other';
    const name = m[8];
    out.push({
      name,
      path: childPath(folder, name),
      kind,
      size: Number(m[3]),
      mode: parseInt(m[2], 8) & 0o7777,
      mtimeMs: Math.round(Number(m[4]) * 1000),
      uid: Number(m[5]),
      gid: Number(m[6]),
      ...(kind === 'symlink' ? { linkTarget: fields[i + 1], targetKind: targetKindOf(m[7]) } : {}),
    });
  }
  return out;
}

function parseStat(text: string, folder: string): ContainerFileEntry[] {
  const [entriesPart, linksPart = ''] = splitOnce(text, '\nlinks\n');
  const prefix = folder === '/' ? '/' : `${folder}/`;
  // A record starts with the five numbers and the folder's path; a name with a newline in it
  // continues on the next line, which never starts that way.
  const entryStart = new RegExp(`^[0-9a-f]+ \\d+ \\d+ \\d+ \\d+ ${escapeRe(prefix)}`);
  const out: ContainerFileEntry[] = [];
  for (const line of entriesPart.split('\n')) {
    if (entryStart.test(line)) {
      const m = /^([0-9a-f]+) (\d+) (\d+) (\d+) (\d+) ([\s\S]*)$/.exec(line)!;
      const raw = parseInt(m[1], 16);
      const name = m[6].slice(prefix.length);
      out.push({ name, path: childPath(folder, name), kind: kindOfRawMode(raw), size: Number(m[2]), mode: raw & 0o7777, mtimeMs: Number(m[3]) * 1000, uid: Number(m[4]), gid: Number(m[5]) });
    } else if (out.length && line !== '') {
      const last = out[out.length - 1];
      last.name += `\n${line}`;
      last.path = childPath(folder, last.name);
    }
  }
  const targets = new Map<string, { raw: number; link: string }>();
  const linkFields = linksPart.split('\0');
  for (let i = 0; i + 1 < linkFields.length; i += 2) {
    const m = /^([0-9a-f]+) ([\s\S]*)$/.exec(linkFields[i]);
    if (m && m[2].startsWith(prefix)) targets.set(m[2].slice(prefix.length), { raw: parseInt(m[1], 16), link: linkFields[i + 1] });
  }
  for (const e of out) {
    if (e.kind !== 'symlink') continue;
    const t = targets.get(e.name);
    e.linkTarget = t?.link ?? '';
    e.targetKind = !t || t.raw === 0 ? 'missing' : kindOfRawMode(t.raw) === 'dir' ? 'dir' : 'file';
  }
  return out;
}

function splitOnce(s: string, sep: string): [string, string?] {
  const i = s.indexOf(sep);
  if (i < 0) return [s.endsWith('\nlinks') ? s.slice(0, -6) : s];
  return [s.slice(0, i), s.slice(i + sep.length)];
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The fields of a tar header that {@link ArchiveLister} reads (tar-stream's `Headers`). */
export interface TarHeaderLike {
  name: string;
  type?: string | null;
  mode?: number | null;
  size?: number | null;
  mtime?: Date | null;
  uid?: number | null;
  gid?: number | null;
  linkname?: string | null;
}

/**
 * Indexes a `GET /containers/{id}/archive` tar of `folder` from its headers alone (contents are
 * skipped by the caller): every folder of the subtree with its direct entries. Entries are named
 * `<base name of folder>/...` (for `/`: `/...`), as the engine rebases them.
 */
export class ArchiveLister {
  private readonly rootName: string;
  private readonly folders = new Map<string, ContainerFileEntry[]>();

  constructor(readonly folder: string) {
    this.rootName = folder === '/' ? '' : path.posix.basename(folder);
    this.folders.set(folder, []);
  }

  /** Takes one header, in archive order. */
  add(h: TarHeaderLike): void {
    const parts = h.name.split('/').filter((p) => p !== '' && p !== '.');
    if (this.rootName !== '') {
      if (parts[0] !== this.rootName) return;
      parts.shift();
    }
    if (parts.length === 0 || parts.includes('..')) return; // the folder itself
    const rel = parts.join('/');
    const parent = path.posix.join(this.folder, ...parts.slice(0, -1));
    const entryPath = path.posix.join(this.folder, rel);
    const type = h.type ?? 'file';
    const kind: ContainerFileKind = type === 'directory' ? 'dir' : type === 'symlink' ? 'symlink' : type === 'file' || type === 'contiguous-file' || type === 'link' ? 'file' : 'other';
    const entry: ContainerFileEntry = {
      name: parts[parts.length - 1],
      path: entryPath,
      kind,
      size: type === 'symlink' ? (h.linkname ?? '').length : (h.size ?? 0),
      mode: (h.mode ?? 0) & 0o7777,
      mtimeMs: h.mtime ? h.mtime.getTime() : 0,
      uid: h.uid ?? 0,
      gid: h.gid ?? 0,
      ...(type === 'symlink' ? { linkTarget: h.linkname ?? '' } : {}),
    };
    let siblings = this.folders.get(parent);
    if (!siblings) this.folders.set(parent, (siblings = []));
    siblings.push(entry);
    if (kind === 'dir' && !this.folders.has(entryPath)) this.folders.set(entryPath, []);
  }

  /** The direct entries of the listed folder so far. */
  entries(): ContainerFileEntry[] {
    return this.folders.get(this.folder) ?? [];
  }

  /**
   * Every folder of the subtree seen so far -> its direct entries, with each symlink's target
   * kind filled in where the target lies in the subtree. Only complete when the whole stream was read.
   */
  index(): Map<string, ContainerFileEntry[]> {
    for (const entries of this.folders.values()) {
      for (const e of entries) {
        if (e.kind !== 'symlink' || e.targetKind) continue;
        const target = path.posix.resolve(path.posix.dirname(e.path), e.linkTarget ?? '');
        if (this.folders.has(target)) e.targetKind = 'dir';
      }
    }
    return this.folders;
  }
}

/**
 * Sorts a folder's entries for the tree: mount points first, then the working folder (or the
 * folder that leads to it), then folders (and symlinks to folders), then the rest; by name
 * within each group (`localeCompare`, as the Explorer sorts).
 * @param context the container's working folder and mount destinations (absolute paths)
 */
export function sortEntries(entries: readonly ContainerFileEntry[], context: { workdir?: string; mounts?: readonly string[] }): ContainerFileEntry[] {
  const mounts = new Set(context.mounts ?? []);
  const workdir = context.workdir && context.workdir !== '/' ? context.workdir : undefined;
  const rank = (e: ContainerFileEntry): number => {
    if (mounts.has(e.path)) return 0;
    if (workdir && (workdir === e.path || workdir.startsWith(`${e.path}/`))) return 1;
    if (e.kind === 'dir' || (e.kind === 'symlink' && e.targetKind === 'dir')) return 2;
    return 3;
  };
  return [...entries].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

/**
 * Checks a name typed for a new file or folder: one path part, not `.` or `..`, no NUL.
 * @returns the problem in a sentence, or undefined when the name is fine
 */
export function checkEntryName(name: string): string | undefined {
  if (name.trim() === '') return 'Type a name.';
  if (name.includes('/')) return 'Type a name without "/": the new entry goes into the chosen folder.';
  if (name === '.' || name === '..') return `"${name}" is not a name for a new entry.`;
  if (name.includes('\0')) return 'A name cannot hold a NUL character.';
  return undefined;
}
