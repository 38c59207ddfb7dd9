/**
 * The ways a file operation in a container fails, each said in one sentence, so that the
 * `mllab-container:` file system can hand VS Code the matching FileSystemError (FileNotFound,
 * FileExists, NoPermissions, Unavailable...) and commands can show the sentence as it is.
 */
import { UserError } from '../errors';

/**
 * - missingPath: the path does not exist in the container;
 * - containerGone: the container does not exist any more (removed while a file was open);
 * - readOnly: a read-only file system (`--read-only` root, a `:ro` mount) or permission refused;
 * - notRunning: the operation needs a running container (delete and rename go through exec);
 * - exists / isFolder / notFolder: the path is of the wrong kind for the operation;
 * - mountPoint: the path is a mount point, which is never deleted from here;
 * - other: anything else (the engine's own words).
 */
export type FileErrorReason = 'missingPath' | 'containerGone' | 'readOnly' | 'notRunning' | 'exists' | 'isFolder' | 'notFolder' | 'mountPoint' | 'other';

/** A failed file operation in a container; `message` is the one sentence for the user. */
export class ContainerFileError extends UserError {
  constructor(
    message: string,
    readonly reason: FileErrorReason,
    options?: { hint?: string; cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ContainerFileError';
  }
}

/**
 * Which {@link FileErrorReason} an engine answer or a command's error output means. Wording from
 * moby 20.10 (daemon/archive.go: "No such container", "Could not find the file",
 * "container rootfs is marked read-only", "mounted volume is marked read-only"; exec: "Container
 * ... is not running") and from coreutils/BusyBox `rm`/`mv` ("Read-only file system",
 * "Permission denied", "No such file or directory").
 * @param text the engine's message or the command's stderr
 * @param status HTTP status of the engine's answer, when there was one
 */
export function fileErrorReason(text: string, status?: number): FileErrorReason {
  if (/no such container/i.test(text)) return 'containerGone';
  if (/read-only|readonly|permission denied|operation not permitted/i.test(text)) return 'readOnly';
  if (/is not running|is paused|is restarting/i.test(text)) return 'notRunning';
  if (/could not find the file|no such file or directory|not found/i.test(text) || status === 404) return 'missingPath';
  if (/not a directory/i.test(text)) return 'notFolder';
  if (/is a directory/i.test(text)) return 'isFolder';
  if (/file exists|already exists/i.test(text)) return 'exists';
  return 'other';
}

/**
 * The one sentence for a failure, naming the path and the container.
 * @param what the operation in words, e.g. "save", "list", "delete"
 * @param detail the engine's or the command's own words (for 'other')
 */
export function fileErrorMessage(reason: FileErrorReason, what: string, containerPath: string, container: string, detail = ''): string {
  switch (reason) {
    case 'missingPath':
      return `Cannot ${what} ${containerPath}: it does not exist in container ${container} (it may have been deleted or renamed).`;
    case 'containerGone':
      return `Cannot ${what} ${containerPath}: container ${container} no longer exists (it was removed).`;
    case 'readOnly':
      return `Cannot ${what} ${containerPath}: it is on a read-only file system in container ${container} (a read-only mount or root file system).`;
    case 'notRunning':
      return `Cannot ${what} ${containerPath}: container ${container} is not running, and this needs a running container.`;
    case 'exists':
      return `Cannot ${what} ${containerPath}: it already exists in container ${container}.`;
    case 'isFolder':
      return `Cannot ${what} ${containerPath}: it is a folder in container ${container}.`;
    case 'notFolder':
      return `Cannot ${what} ${containerPath}: it is not a folder in container ${container}.`;
    case 'mountPoint':
      return `Cannot ${what} ${containerPath}: it is a mount point of container ${container}.`;
    default:
      return `Cannot ${what} ${containerPath} in container ${container}: ${detail.trim().replace(/\.$/, '')}.`;
  }
}
