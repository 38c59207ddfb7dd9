/**
 * Docker Swarm: nodes, services, tasks and service logs, on an engine that is a
 * swarm manager. Engine API 1.41: `GET /nodes`, `POST /nodes/{id}/update`, `GET /services`,
 * `POST /services/create`, `DELETE /services/{id}`, `GET /tasks`, `GET /services/{id}/logs`.
 * The JSON is turned into our own types (src/core/swarm/model.ts) here.
 */
import { PassThrough } from 'node:stream';
import { EngineBase, type LabelFilter } from './connection';
import type { GenericResource, SwarmNode, SwarmService, SwarmTask } from '../core/swarm/model';
import { CREATED_BY_LABEL, CREATED_BY_VALUE } from '../core/ids';
import { demuxBuffer } from './containers';

type Json = Record<string, unknown>;
interface DialOptions {
  path: string;
  method: 'GET' | 'POST' | 'DELETE';
  options?: Json;
  authconfig?: { base64: string };
  isStream?: boolean;
  statusCodes: Record<number, true | string>;
  abortSignal?: AbortSignal;
}

const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const labelsOf = (v: unknown): Record<string, string> => Object.fromEntries(Object.entries(obj(v)).map(([k, x]) => [k, String(x)]));

/** `Description.Resources.GenericResources` / `Resources.Reservations.GenericResources` -> kind and value. */
function genericResources(v: unknown): GenericResource[] {
  if (!Array.isArray(v)) return [];
  return v.map((g: Json) => {
    const named = obj(g.NamedResourceSpec);
    const discrete = obj(g.DiscreteResourceSpec);
    return named.Kind ? { kind: str(named.Kind), value: str(named.Value) } : { kind: str(discrete.Kind), value: Number(discrete.Value ?? 0) };
  });
}

export function toSwarmNode(n: Json): SwarmNode {
  const spec = obj(n.Spec);
  const desc = obj(n.Description);
  const res = obj(desc.Resources);
  const status = obj(n.Status);
  const manager = obj(n.ManagerStatus);
  return {
    id: str(n.ID),
    hostname: str(desc.Hostname) || str(n.ID).slice(0, 12),
    role: spec.Role === 'manager' ? 'manager' : 'worker',
    leader: manager.Leader === true,
    availability: str(spec.Availability) || 'active',
    state: str(status.State) || 'unknown',
    address: str(status.Addr) || undefined,
    labels: labelsOf(spec.Labels),
    engineVersion: str(obj(desc.Engine).EngineVersion),
    generic: genericResources(res.GenericResources),
    cpus: Number(res.NanoCPUs ?? 0) / 1e9,
    memoryBytes: Number(res.MemoryBytes ?? 0),
  };
}

export function toSwarmService(s: Json): SwarmService {
  const spec = obj(s.Spec);
  const mode = obj(spec.Mode);
  const job = obj(mode.ReplicatedJob);
  const kind = 'ReplicatedJob' in mode ? 'replicated-job' : 'GlobalJob' in mode ? 'global-job' : 'Global' in mode ? 'global' : 'replicated';
  const out: SwarmService = {
    id: str(s.ID),
    name: str(spec.Name),
    mode: kind,
    image: str(obj(obj(spec.TaskTemplate).ContainerSpec).Image),
    labels: labelsOf(spec.Labels),
    createdAt: str(s.CreatedAt),
  };
  if (kind === 'replicated-job') {
    out.totalCompletions = Number(job.TotalCompletions ?? 1);
    out.maxConcurrent = Number(job.MaxConcurrent ?? 1);
  }
  if (kind === 'replicated') out.replicas = Number(obj(mode.Replicated).Replicas ?? 1);
  return out;
}

export function toSwarmTask(t: Json): SwarmTask {
  const status = obj(t.Status);
  const cs = obj(status.ContainerStatus);
  const out: SwarmTask = {
    id: str(t.ID),
    serviceId: str(t.ServiceID),
    state: str(status.State) || 'unknown',
    desiredState: str(t.DesiredState),
    message: str(status.Message),
    timestamp: str(status.Timestamp),
    // The API reference calls it AssignedGenericResources; engines 20.10 send GenericResources.
    assigned: genericResources(t.AssignedGenericResources ?? t.GenericResources),
  };
  // Slot is omitted when 0 (Go's omitempty): a job's first task is slot 0. (Global services'
  // tasks have no slot either: the view names them by node.)
  out.slot = typeof t.Slot === 'number' ? t.Slot : 0;
  if (t.NodeID) out.nodeId = str(t.NodeID);
  if (status.Err) out.error = str(status.Err);
  if (typeof cs.ExitCode === 'number' && (cs.ContainerID || ['complete', 'failed', 'shutdown'].includes(out.state))) out.exitCode = cs.ExitCode;
  if (cs.ContainerID) out.containerId = str(cs.ContainerID);
  return out;
}

/** The Swarm calls of {@link Engine}; they need an engine that is a swarm manager (else the engine answers 503). */
export abstract class SwarmApi extends EngineBase {
  private dial<T>(what: string, o: DialOptions, signal?: AbortSignal): Promise<T> {
    return this.call(what, (abortSignal) => new Promise<T>((resolve, reject) => {
      (this.docker().modem as unknown as { dial(o: DialOptions, cb: (err: unknown, data: unknown) => void): void }).dial(
        { ...o, abortSignal },
        (err, data) => (err ? reject(err) : resolve(data as T)),
      );
    }), signal);
  }

  /** `GET /nodes`: every node of the swarm, managers first, then by hostname. */
  async listNodes(): Promise<SwarmNode[]> {
    const rows = await this.dial<Json[]>('list swarm nodes', { path: '/nodes?', method: 'GET', options: {}, statusCodes: { 200: true, 500: 'server error', 503: 'node is not part of a swarm' } });
    return rows.map(toSwarmNode).sort((a, b) => (a.role === b.role ? a.hostname.localeCompare(b.hostname) : a.role === 'manager' ? -1 : 1));
  }

  /** `GET /services`, optionally only those with these labels. */
  async listServices(options: { label?: LabelFilter } = {}): Promise<SwarmService[]> {
    const filters = options.label ? JSON.stringify({ label: options.label }) : undefined;
    const rows = await this.dial<Json[]>('list swarm services', { path: '/services?', method: 'GET', options: filters ? { filters } : {}, statusCodes: { 200: true, 500: 'server error', 503: 'node is not part of a swarm' } });
    return rows.map(toSwarmService).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** `GET /tasks`, of one service when `serviceId` is given. */
  async listTasks(serviceId?: string): Promise<SwarmTask[]> {
    const options = serviceId ? { filters: JSON.stringify({ service: [serviceId] }) } : {};
    const rows = await this.dial<Json[]>('list swarm tasks', { path: '/tasks?', method: 'GET', options, statusCodes: { 200: true, 500: 'server error', 503: 'node is not part of a swarm' } });
    return rows.map(toSwarmTask).filter((t) => !serviceId || t.serviceId === serviceId);
  }

  /**
   * `POST /services/create` with a spec from src/core/swarm/serviceSpec.ts. The service and its
   * containers are labelled `org.mllab.created-by`. `registryAuth` (base64 JSON, `X-Registry-Auth`)
   * lets the nodes pull from a registry that needs credentials.
   * @returns the service id; throws EngineError with the engine's reason (e.g. "name conflicts with an existing object")
   */
  async createService(spec: Json, registryAuth?: string): Promise<string> {
    const labels = { ...obj(spec.Labels), [CREATED_BY_LABEL]: CREATED_BY_VALUE };
    const body = { ...spec, Labels: labels };
    const r = await this.dial<Json>(`create service ${str(spec.Name)}`, {
      path: '/services/create', method: 'POST', options: body,
      ...(registryAuth ? { authconfig: { base64: registryAuth } } : {}),
      statusCodes: { 200: true, 201: true, 400: 'bad parameter', 403: 'network is not eligible for services', 409: 'name conflicts with an existing service', 500: 'server error', 503: 'node is not part of a swarm' },
    });
    return str(r.ID) || str(r.Id);
  }

  /** `DELETE /services/{id}`: the service and its tasks' containers go. */
  async removeService(id: string): Promise<void> {
    await this.dial(`remove service ${id}`, { path: `/services/${id}`, method: 'DELETE', statusCodes: { 200: true, 404: 'no such service', 500: 'server error', 503: 'node is not part of a swarm' } });
  }

  /**
   * Sets labels on a node (`docker node update --label-add`): `POST /nodes/{id}/update?version=N`
   * with its spec and the labels merged in; a value of `undefined` removes that label.
   */
  async updateNodeLabels(nodeId: string, changes: Record<string, string | undefined>): Promise<void> {
    const node = await this.dial<Json>(`inspect node ${nodeId}`, { path: `/nodes/${nodeId}`, method: 'GET', statusCodes: { 200: true, 404: 'no such node', 500: 'server error', 503: 'node is not part of a swarm' } });
    const spec = obj(node.Spec);
    const labels: Record<string, string> = { ...labelsOf(spec.Labels) };
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined) delete labels[k];
      else labels[k] = v;
    }
    const version = Number(obj(node.Version).Index ?? 0);
    await this.dial(`label node ${nodeId}`, {
      path: `/nodes/${nodeId}/update?version=${version}&`, method: 'POST', options: { ...spec, Labels: labels },
      statusCodes: { 200: true, 400: 'bad parameter', 404: 'no such node', 500: 'server error', 503: 'node is not part of a swarm' },
    });
  }

  /**
   * Streams a service's logs (`GET /services/{id}/logs?details=true`), every task's output
   * merged, one call of `onLine` per line (without its newline); each line starts with the
   * task's and node's ids as src/core/swarm/model.ts `splitServiceLogLine` reads them.
   * With `follow`, runs until `signal` aborts or the engine ends the stream.
   */
  async serviceLogs(id: string, onLine: (line: string, stream: 'stdout' | 'stderr') => void, options: { follow: boolean; signal?: AbortSignal }): Promise<void> {
    let raw: NodeJS.ReadableStream | Buffer;
    try {
      raw = await new Promise<NodeJS.ReadableStream | Buffer>((resolve, reject) => {
        (this.docker().modem as unknown as { dial(o: DialOptions, cb: (err: unknown, data: unknown) => void): void }).dial({
          path: `/services/${id}/logs?`, method: 'GET', isStream: options.follow, abortSignal: options.signal,
          options: { follow: options.follow, stdout: true, stderr: true, details: true },
          statusCodes: { 200: true, 404: 'no such service', 500: 'server error', 503: 'node is not part of a swarm' },
        }, (err, data) => (err ? reject(err) : resolve(data as NodeJS.ReadableStream | Buffer)));
      });
    } catch (err) {
      throw this.mapError(`logs of service ${id}`, err, options.signal);
    }
    const partial = { stdout: '', stderr: '' };
    const push = (text: string, stream: 'stdout' | 'stderr') => {
      const lines = (partial[stream] + text).split('\n');
      partial[stream] = lines.pop() ?? '';
      for (const l of lines) onLine(l.replace(/\r$/, ''), stream);
    };
    const end = () => {
      for (const s of ['stdout', 'stderr'] as const) if (partial[s]) onLine(partial[s], s);
      partial.stdout = partial.stderr = '';
    };
    if (Buffer.isBuffer(raw)) {
      demuxBuffer(raw, push);
      end();
      return;
    }
    const stream = raw;
    await new Promise<void>((resolve) => {
      const out = new PassThrough();
      const err = new PassThrough();
      out.on('data', (d: Buffer) => push(d.toString('utf8'), 'stdout'));
      err.on('data', (d: Buffer) => push(d.toString('utf8'), 'stderr'));
      this.docker().modem.demuxStream(stream, out, err);
      const done = () => {
        end();
        resolve();
      };
      stream.on('end', done);
      stream.on('close', done);
      stream.on('error', done);
      options.signal?.addEventListener('abort', () => {
        (stream as unknown as { destroy?: () => void }).destroy?.();
        done();
      });
    });
  }
}
