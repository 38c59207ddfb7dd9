/**
 * The one public face of the Docker engine for the rest of the extension: the only way to it
 * (src/engine alone imports dockerode). Everything it returns is one of our own types
 * (src/core/engineTypes.ts); every failure is an {@link EngineError} whose message says what to do.
 *
 * The calls live in one file per resource, each a class over the shared connection
 * ({@link EngineBase}, ./connection.ts): images, build, containers, volumes, networks, events, transfer
 * (files in and out of containers), stats (a container's resources while it runs), files (one
 * container file or folder at a time).
 * `Engine` is their union: the class extends EngineBase and its prototype takes every resource
 * class's methods (TypeScript's documented mixin pattern: an interface merged with the class
 * declares them), so callers keep one `Engine` and one `new Engine(connection)`.
 */
import { EngineBase } from './connection';
import { ImagesApi } from './images';
import { BuildApi } from './build';
import { ContainersApi } from './containers';
import { VolumesApi } from './volumes';
import { NetworksApi } from './networks';
import { EventsApi } from './events';
import { TransferApi } from './transfer';
import { SwarmApi } from './swarm';
import { StatsApi } from './stats';
import { FilesApi } from './files';

export * from '../core/engineTypes';
export { DEFAULT_TIMEOUT_MS, EngineError, type LabelFilter } from './connection';
export type { BuildRequest, BuildResult } from './build';
export type { AttachedRun, ShellSession } from './containers';
export type { ConflictChoice, DownloadResult, TransferProgress, UploadResult } from './transfer';
export type { ExitState } from './stats';
export type { ContainerFileContent, ContainerFileStat, FolderListing } from './files';

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Engine extends ImagesApi, BuildApi, ContainersApi, VolumesApi, NetworksApi, EventsApi, TransferApi, SwarmApi, StatsApi, FilesApi {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Engine extends EngineBase {}

for (const api of [ImagesApi, BuildApi, ContainersApi, VolumesApi, NetworksApi, EventsApi, TransferApi, SwarmApi, StatsApi, FilesApi]) {
  for (const name of Object.getOwnPropertyNames(api.prototype)) {
    if (name === 'constructor') continue;
    Object.defineProperty(Engine.prototype, name, Object.getOwnPropertyDescriptor(api.prototype, name) as PropertyDescriptor);
  }
}
