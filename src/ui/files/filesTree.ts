/**
 * The children of the Files rows of the Containers view, listed when a row is expanded: under
 * Files the working folder, the mount points and `/`; under a folder its entries (one exec of
 * `find` in a running container, the archive stream in a stopped one: src/engine/files.ts).
 * A folder that cannot be listed shows one row with the reason instead.
 */
import { sortEntries } from '../../core/files/listing';
import { containerFileUri } from '../../core/files/uri';
import { fileEntryNodes, fileErrorNode, filesRootNodes, partialListingNode } from '../../core/tree/files';
import type { NodeModel } from '../../core/tree/models';
import { ARCHIVE_LISTING_BUDGET_MS } from '../../engine/files';
import { log } from '../base/log';
import { describeError, type EngineSession } from '../base/session';

/** The lazy-children function of the Containers view's provider (never throws). */
export function filesChildren(session: EngineSession): (m: NodeModel) => Promise<NodeModel[]> {
  return async (m) => {
    const row = m.file;
    if (!row) return [];
    const engine = session.get();
    try {
      if (m.kind === 'containerFiles') {
        const info = (await engine.inspectContainer(row.container.id)) as { Config?: { WorkingDir?: string } };
        return filesRootNodes({ ...row.container, workdir: info.Config?.WorkingDir || '/' });
      }
      const started = Date.now();
      const listing = await engine.listContainerFolder(row.container.id, row.path);
      log().info(`Files: listed ${row.container.name}:${row.path} (${listing.entries.length} entries) by ${listing.via} in ${Date.now() - started} ms${listing.complete ? '' : ' (partial)'}`);
      const sorted = sortEntries(listing.entries, { workdir: row.container.workdir, mounts: row.container.mounts.map((x) => x.destination) });
      const describe = engine.connection.describe;
      const rows = fileEntryNodes(m.id, row.container, sorted, (p) => containerFileUri({ containerId: row.container.id, path: p, engine: describe }));
      return listing.complete ? rows : [...rows, partialListingNode(m.id, row.container, row.path, ARCHIVE_LISTING_BUDGET_MS)];
    } catch (err) {
      log().warn(`Files: ${describeError(err)}`);
      return [fileErrorNode(m.id, describeError(err))];
    }
  };
}
