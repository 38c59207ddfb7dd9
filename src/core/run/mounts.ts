/**
 * Mounts as `docker run -v` writes them, and their Engine API shape.
 * Source: https://docs.docker.com/storage/volumes/ and https://docs.docker.com/storage/bind-mounts/
 * ("-v <source>:<container path>[:ro]"). Windows host paths (`C:\data`) are out of scope.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../errors';

/** A bind mount (a folder on this machine) or a named volume (storage the engine manages). */
export interface MountSpec {
  type: 'bind' | 'volume';
  /** Bind mount: absolute host path. Named volume: the volume name. */
  source: string;
  /** Absolute path inside the container. */
  target: string;
  readOnly: boolean;
}

const EXPECTED = 'expected host-path-or-volume:/container/path[:ro], e.g. ./artifacts:/usr/local/app/artifacts';
/** Docker's rule for local volume names (daemon/names: RestrictedNamePattern). */
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/**
 * Parses one `-v` mount.
 *
 * Like Docker, a source starting with `/`, `.` or `~` is a host path (bind mount) and
 * anything else is a NAMED VOLUME: `./artifacts:/x` mounts the workspace folder `artifacts`,
 * `artifacts:/x` mounts a volume called "artifacts". Relative host paths (`./x`, `../x`, `.x`)
 * are resolved against `workspaceFolder`; `~` and `~/x` against the user's home folder.
 * Options: `:ro` (read-only) or `:rw` (the default).
 *
 * @param workspaceFolder absolute path of the open folder; needed only for relative host paths.
 * @throws UserError for: empty text, an empty source, a missing or relative container path
 *   (`./a`, `./a:`), `/` as container path, options other than ro/rw, `~user` paths, an invalid
 *   volume name, or a relative host path when no folder is open.
 */
export function parseMount(spec: string, workspaceFolder: string | undefined): MountSpec {
  const text = spec.trim();
  const fail: (what: string, hint?: string) => never = (what, hint) => {
    throw new UserError(`"${text}": ${what}; ${EXPECTED}`, hint === undefined ? undefined : { hint });
  };
  if (text === '') fail('the mount is empty');
  const parts = text.split(':');
  if (parts.length > 3) fail('too many ":" (Windows paths are not supported)');
  const [source, target = '', option] = parts;
  if (source === '') fail('the host path or volume name before ":" is empty');
  if (target === '') fail('missing container path after ":"');
  if (!target.startsWith('/')) fail(`container path "${target}" must be absolute (start with /)`);
  const cleanTarget = path.posix.normalize(target).replace(/(?<=.)\/$/, '');
  if (cleanTarget === '/') fail('the container path cannot be "/"');

  let readOnly = false;
  if (option !== undefined) {
    if (option === 'ro') readOnly = true;
    else if (option !== 'rw') fail(option === '' ? 'the option after the last ":" is empty (ro or rw)' : `mount option "${option}" is not supported; use ro or rw`);
  }

  const first = source[0];
  if (first === '/' || first === '.' || first === '~') {
    let hostPath: string;
    if (first === '/') {
      hostPath = path.posix.normalize(source);
    } else if (first === '~') {
      if (source !== '~' && !source.startsWith('~/')) fail(`"${source}": only ~ and ~/path are supported, not ~user`);
      hostPath = path.join(os.homedir(), source.slice(1));
    } else {
      if (workspaceFolder === undefined || workspaceFolder === '') {
        fail(`the host path "${source}" is relative and no folder is open`, 'Open a folder, or use an absolute host path such as /home/me/artifacts.');
      }
      hostPath = path.resolve(workspaceFolder, source);
    }
    if (hostPath.length > 1) hostPath = hostPath.replace(/\/$/, '');
    return { type: 'bind', source: hostPath, target: cleanTarget, readOnly };
  }
  if (!VOLUME_NAME.test(source)) {
    fail(
      `volume name "${source}" may contain only letters, digits, _, . and - (at least 2 characters, starting with a letter or digit)`,
      'For a folder on this machine start the path with ./ or /, e.g. ./artifacts.',
    );
  }
  return { type: 'volume', source, target: cleanTarget, readOnly };
}

/**
 * Parses mounts separated by commas and/or whitespace, e.g. `"./data:/data:ro ckpts:/ckpts"`.
 * Paths containing spaces or commas are therefore not supported here. Blank text gives [].
 * @throws UserError from `parseMount` for the first bad mount.
 */
export function parseMounts(text: string, workspaceFolder?: string): MountSpec[] {
  return text
    .split(/[\s,]+/)
    .filter((part) => part !== '')
    .map((part) => parseMount(part, workspaceFolder));
}

/** Converts mounts to the Engine API `HostConfig.Mounts` shape (`{Type, Source, Target, ReadOnly}`). */
export function toEngineMounts(mounts: MountSpec[]): Array<{ Type: 'bind' | 'volume'; Source: string; Target: string; ReadOnly: boolean }> {
  return mounts.map((m) => ({ Type: m.type, Source: m.source, Target: m.target, ReadOnly: m.readOnly }));
}

/** Formats a mount as `docker run -v` text, e.g. `/home/me/lab/artifacts:/usr/local/app/artifacts:ro`. */
export function formatMount(m: MountSpec): string {
  return `${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`;
}
