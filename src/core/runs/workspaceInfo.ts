/** What a run record notes about the host: the workspace's git commit and the artifacts folder's files. */
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtifactFile } from './record';

function git(cwd: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: 5000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout) => resolve(err ? undefined : stdout));
  });
}

/**
 * The commit checked out in `folder` (`git rev-parse HEAD`) and whether the tree has changes
 * (`git status --porcelain` prints anything, untracked files included). Undefined when the
 * folder is not in a git repository, the repository has no commit, or git is not installed.
 */
export async function gitState(folder: string): Promise<{ commit: string; dirty: boolean } | undefined> {
  const head = (await git(folder, ['rev-parse', 'HEAD']))?.trim();
  if (!head || !/^[0-9a-f]{40,64}$/.test(head)) return undefined;
  const status = await git(folder, ['status', '--porcelain']);
  return { commit: head, dirty: status === undefined ? false : status.trim() !== '' };
}

/**
 * The files under `folder` with their sizes in bytes, paths relative and '/'-separated, sorted.
 * Stops after `maxFiles` files (`truncated`). Undefined when the folder does not exist.
 */
export function listArtifacts(folder: string, maxFiles = 1000): { files: ArtifactFile[]; totalBytes: number; truncated?: boolean } | undefined {
  try {
    if (!statSync(folder).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  const files: ArtifactFile[] = [];
  let totalBytes = 0;
  let truncated = false;
  const walk = (dir: string, rel: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const n of names) {
      if (files.length >= maxFiles) {
        truncated = true;
        return;
      }
      const p = join(dir, n);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      const r = rel ? `${rel}/${n}` : n;
      if (st.isDirectory()) walk(p, r);
      else if (st.isFile()) {
        files.push({ path: r, bytes: st.size });
        totalBytes += st.size;
      }
    }
  };
  walk(folder, '');
  return truncated ? { files, totalBytes, truncated } : { files, totalBytes };
}

/**
 * The workspace's requirements file, for a run that died of a missing module: `requirements.txt`
 * at the root, else the first `requirements*.txt` there (sorted). Path relative to `folder`.
 * Undefined when there is none.
 */
export function requirementsFile(folder: string): string | undefined {
  try {
    const names = readdirSync(folder).filter((n) => /^requirements.*\.txt$/i.test(n)).sort();
    return names.includes('requirements.txt') ? 'requirements.txt' : names[0];
  } catch {
    return undefined;
  }
}
