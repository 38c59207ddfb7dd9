/**
 * "Publish Port..." and "Mount Volume..." on an existing container: Docker cannot add a port
 * binding or a mount to a container once it is created (there is no such `docker update`
 * option), so the container is recreated with the same configuration plus the change. This
 * module turns the container's `GET /containers/{id}/json` into the `POST /containers/create`
 * body that reproduces it; src/engine/engine.ts (`recreateContainer`) runs the safe
 * commit/stop/rename/create/start flow around it.
 * Sources: https://docs.docker.com/engine/api/v1.41/#tag/Container/operation/ContainerInspect and
 * .../operation/ContainerCreate (the create body is the inspect `Config` plus `HostConfig` and
 * `NetworkingConfig`).
 */
import * as path from 'node:path';
import { UserError } from '../errors';
import { PortBinding, formatPortBinding, toEnginePortOptions } from './ports';
import { MountSpec, formatMount, toEngineMounts } from './mounts';

/** What to change while recreating. */
export interface RecreateChange {
  /** Port bindings to add; each container port must not be published yet. */
  addPorts?: PortBinding[];
  /** Mounts to add; each target must not be mounted yet (an anonymous volume there is replaced). */
  addMounts?: MountSpec[];
  /** Image to create the new container from, e.g. the committed snapshot "mllab-snapshot/iris:20240101"; default: the container's `Config.Image`. */
  image?: string;
  /** Host IP for added bindings that name none (setting `mlLab.run.bindAddress`, default 127.0.0.1). */
  defaultHostIp: string;
}

/** A user-defined network the container is attached to besides its `HostConfig.NetworkMode` one. */
export interface ExtraNetwork {
  network: string;
  /** `EndpointSettings` for `POST /networks/{id}/connect`: Aliases (without the old container's short id), IPAMConfig, Links. */
  endpointConfig: Record<string, unknown>;
}

/**
 * HostConfig fields that are not carried over: `ContainerIDFile` is a CLI-side file of the old
 * container. Everything else in the inspect `HostConfig` is a create option with the same name
 * and meaning (capabilities, devices, ulimits, DNS, log driver, tmpfs... are kept, not only what
 * profiles can express).
 */
const HOST_CONFIG_DROPPED = ['ContainerIDFile'];

const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const clean = (p: string): string => (p.length > 1 ? path.posix.normalize(p).replace(/\/$/, '') : p);
/** Network modes that are not a user-defined network (no endpoint config to carry). */
const BUILTIN_NETWORK = /^(default|bridge|host|none|container:.*)$/;

/**
 * The `POST /containers/create` body that reproduces a container's configuration, plus a change.
 *
 * Carried over: the whole inspect `Config` (Image, Cmd, Entrypoint, Env, WorkingDir, User,
 * Labels, ExposedPorts, Volumes, Tty/OpenStdin/StdinOnce/Attach*, StopSignal, Healthcheck...),
 * except `Hostname` when it is the engine's default (the old container's short id), and the
 * whole inspect `HostConfig` (PortBindings, Binds, Mounts, ShmSize, IpcMode, Memory, NanoCpus,
 * NetworkMode, DeviceRequests, RestartPolicy, AutoRemove, CapAdd, Devices, Ulimits, LogConfig...)
 * except `ContainerIDFile`; `name` is the container's name without its leading "/" (a query
 * parameter in the raw API, dockerode moves it there). Anonymous volumes (an image `VOLUME`, or
 * `-v /path`) are re-attached by name in `HostConfig.Mounts`, so their data stays with the new
 * container. For a user-defined network, `NetworkingConfig.EndpointsConfig` keeps its aliases
 * (minus the old short id) and static IPs; further networks are listed by `extraNetworks`.
 *
 * `Config.Image` is the reference the container was created with (e.g. "iris-train:v1"), not the
 * image id, unless `change.image` (the committed snapshot) replaces it.
 *
 * @param inspect the container's `GET /containers/{id}/json` (API 1.41 shape; missing fields are skipped).
 * @param change what to add; see {@link RecreateChange}.
 * @returns a new object; `inspect` is not modified.
 * @throws UserError naming the binding or mount when an added container port is already
 *   published (or an added host port is already bound by the container), a mount target is
 *   already mounted (bind mount, named volume or tmpfs), the container's network (host or
 *   container:<name>) cannot publish ports, added bindings clash with each other, or the inspect
 *   JSON has no `Config.Image` and no `change.image`.
 */
export function recreateOptions(inspect: Record<string, unknown>, change: RecreateChange): Record<string, unknown> {
  const config = structuredClone(obj(inspect.Config));
  const host = structuredClone(obj(inspect.HostConfig));
  for (const key of HOST_CONFIG_DROPPED) delete host[key];
  const id = typeof inspect.Id === 'string' ? inspect.Id : '';
  const name = typeof inspect.Name === 'string' ? inspect.Name.replace(/^\//, '') : '';
  const label = name || id.slice(0, 12) || 'the container';

  const image = change.image ?? (typeof config.Image === 'string' ? config.Image : '');
  if (image === '') throw new UserError(`Cannot recreate ${label}: its inspect data names no image.`);
  config.Image = image;
  if (id !== '' && config.Hostname === id.slice(0, 12)) delete config.Hostname;

  addPorts(label, config, host, change.addPorts ?? [], change.defaultHostIp);
  addMounts(label, inspect, host, change.addMounts ?? []);

  const body: Record<string, unknown> = { ...config, HostConfig: host };
  if (name !== '') body.name = name;
  const mode = typeof host.NetworkMode === 'string' ? host.NetworkMode : '';
  const networks = obj(obj(inspect.NetworkSettings).Networks);
  if (mode !== '' && !BUILTIN_NETWORK.test(mode) && networks[mode] !== undefined) {
    body.NetworkingConfig = { EndpointsConfig: { [mode]: endpointConfig(networks[mode], id) } };
  }
  return body;
}

/**
 * User-defined networks the container is attached to besides its primary `HostConfig.NetworkMode`
 * one (API 1.41 creates a container on one network; `docker network connect` added the rest).
 * The engine connects the new container to each before starting it.
 */
export function extraNetworks(inspect: Record<string, unknown>): ExtraNetwork[] {
  const id = typeof inspect.Id === 'string' ? inspect.Id : '';
  const mode = obj(inspect.HostConfig).NetworkMode;
  const primary = mode === 'default' ? 'bridge' : mode;
  return Object.entries(obj(obj(inspect.NetworkSettings).Networks))
    .filter(([n]) => n !== primary && !BUILTIN_NETWORK.test(n))
    .map(([network, settings]) => ({ network, endpointConfig: endpointConfig(settings, id) }));
}

function endpointConfig(settings: unknown, id: string): Record<string, unknown> {
  const s = obj(settings);
  const out: Record<string, unknown> = {};
  const aliases = arr(s.Aliases).map(String).filter((a) => a !== id.slice(0, 12) && a !== id);
  if (aliases.length > 0) out.Aliases = aliases;
  const ipam = obj(s.IPAMConfig);
  if (Object.keys(ipam).length > 0) out.IPAMConfig = ipam;
  if (arr(s.Links).length > 0) out.Links = arr(s.Links);
  return out;
}

function addPorts(label: string, config: Record<string, unknown>, host: Record<string, unknown>, add: PortBinding[], defaultHostIp: string): void {
  if (add.length === 0) return;
  const mode = typeof host.NetworkMode === 'string' ? host.NetworkMode : '';
  if (mode === 'host' || mode.startsWith('container:')) {
    throw new UserError(`Cannot publish ${add.map(formatPortBinding).join(', ')} on ${label}: it uses network "${mode}", which has no ports of its own to publish.`, {
      hint: mode === 'host' ? 'With network host the container already listens on the host\'s ports directly.' : undefined,
    });
  }
  const existing = obj(host.PortBindings);
  // Validates the added bindings among themselves (same host port twice) and shapes them.
  const added = toEnginePortOptions(add, defaultHostIp);
  for (const b of add) {
    const key = `${b.containerPort}/${b.protocol}`;
    const current = arr(existing[key]).map(obj);
    if (current.length > 0) {
      const shown = current.map((c) => `${String(c.HostIp ?? '') || '0.0.0.0'}:${String(c.HostPort ?? '') || '(any)'}`).join(', ');
      throw new UserError(`Container port ${key} of ${label} is already published (on ${shown}); publish another container port, or remove that binding first.`);
    }
    const hostIp = b.hostIp ?? defaultHostIp;
    if (b.hostPort !== undefined) {
      for (const [otherKey, list] of Object.entries(existing)) {
        if (!otherKey.endsWith(`/${b.protocol}`) && !(b.protocol === 'tcp' && !otherKey.includes('/'))) continue;
        for (const c of arr(list).map(obj)) {
          const ip = String(c.HostIp ?? '') || '0.0.0.0';
          const sameIp = ip === hostIp || ip === '0.0.0.0' || hostIp === '0.0.0.0';
          if (String(c.HostPort ?? '') === String(b.hostPort) && sameIp) {
            throw new UserError(`Host port ${b.hostPort}/${b.protocol} is already bound by ${label} (for container port ${otherKey}); choose another host port for "${formatPortBinding(b)}".`);
          }
        }
      }
    }
  }
  const bindings: Record<string, unknown> = { ...existing, ...added.PortBindings };
  host.PortBindings = bindings;
  config.ExposedPorts = { ...obj(config.ExposedPorts), ...added.ExposedPorts };
}

function addMounts(label: string, inspect: Record<string, unknown>, host: Record<string, unknown>, add: MountSpec[]): void {
  // Targets the user mounted explicitly: -v/Binds, --mount/Mounts, --tmpfs.
  const explicit = new Map<string, string>();
  for (const bind of arr(host.Binds).map(String)) {
    const [source, target] = bind.split(':');
    if (target !== undefined) explicit.set(clean(target), `${source} (bind)`);
  }
  for (const m of arr(host.Mounts).map(obj)) {
    if (typeof m.Target === 'string') explicit.set(clean(m.Target), `${String(m.Source ?? '') || '(anonymous)'} (${String(m.Type ?? 'mount')})`);
  }
  for (const target of Object.keys(obj(host.Tmpfs))) explicit.set(clean(target), 'tmpfs');

  const seen = new Set<string>();
  for (const m of add) {
    const target = clean(m.target);
    const current = explicit.get(target);
    if (current !== undefined) {
      throw new UserError(`${target} in ${label} is already mounted from ${current}; "${formatMount(m)}" would hide it. Choose another container path, or remove that mount first.`);
    }
    if (seen.has(target)) throw new UserError(`${target} is given twice in the mounts to add to ${label}; give each mount its own container path.`);
    seen.add(target);
  }

  // Anonymous volumes (an image VOLUME or `-v /path`) exist only in the inspect `Mounts`; carry
  // them by name so the new container sees the same data, unless an added mount takes the path.
  const anonymous: Array<Record<string, unknown>> = [];
  for (const m of arr(inspect.Mounts).map(obj)) {
    if (m.Type !== 'volume' || typeof m.Name !== 'string' || typeof m.Destination !== 'string') continue;
    const target = clean(m.Destination);
    if (explicit.has(target) || seen.has(target)) continue;
    anonymous.push({ Type: 'volume', Source: m.Name, Target: target, ReadOnly: m.RW === false });
  }
  const added = toEngineMounts(add);
  if (anonymous.length + added.length > 0) host.Mounts = [...arr(host.Mounts), ...anonymous, ...added];
}
