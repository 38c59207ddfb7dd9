/**
 * The `mllab-container:` URI of a file in a container:
 * `mllab-container://<container id>/<path in the container>?engine=<engine>`.
 * The path is the container path itself, so VS Code's base name, folder and joins work on it;
 * the engine is its connection's description (`unix:///var/run/docker.sock`, `ssh://gpu-box`), as
 * a run record names it, so a file of a container on another engine opens there.
 */

/** The URI scheme of the container file system. */
export const CONTAINER_FILE_SCHEME = 'mllab-container';

/** What a `mllab-container:` URI names. */
export interface ContainerFileRef {
  containerId: string;
  /** absolute posix path in the container */
  path: string;
  /** the engine's connection description; '' means the current engine */
  engine: string;
}

/** The URI text for a container file (path parts percent-encoded as URIs need). */
export function containerFileUri(ref: ContainerFileRef): string {
  const encoded = ref.path.split('/').map(encodeURIComponent).join('/');
  return `${CONTAINER_FILE_SCHEME}://${ref.containerId}${encoded.startsWith('/') ? encoded : `/${encoded}`}${ref.engine ? `?engine=${encodeURIComponent(ref.engine)}` : ''}`;
}

/**
 * Reads the parts VS Code hands back of a URI ({@link containerFileUri}).
 * @param parts the URI's authority, (decoded) path and (decoded) query
 * @throws Error when there is no container id
 */
export function parseContainerFileUri(parts: { authority: string; path: string; query: string }): ContainerFileRef {
  if (!/^[0-9a-zA-Z][0-9a-zA-Z_.-]*$/.test(parts.authority)) throw new Error(`not a container file URI: no container id in "${parts.authority}"`);
  // The query comes decoded, and an engine's description may hold any character: all after `engine=` is it.
  const engine = parts.query.startsWith('engine=') ? parts.query.slice('engine='.length) : '';
  return { containerId: parts.authority, path: parts.path || '/', engine };
}
