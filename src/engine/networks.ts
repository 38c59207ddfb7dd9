/**
 * Networks: list, inspect, create (bridge), remove, prune, connect, disconnect.
 */
import type * as DockerodeNs from 'dockerode';
import { EngineBase, type LabelFilter } from './connection';
import { CREATED_BY_LABEL, CREATED_BY_VALUE } from '../core/ids';
import type { NetworkSummary, PruneResult } from '../core/engineTypes';


/** The network calls of {@link Engine}. */
export abstract class NetworksApi extends EngineBase {
  /** `GET /networks`, optionally narrowed by label (`key=value`). */
  async listNetworks(options: { label?: LabelFilter } = {}): Promise<NetworkSummary[]> {
    const rows = await this.read('list networks', (abortSignal) =>
      this.docker().listNetworks({ abortSignal, ...(options.label ? { filters: JSON.stringify({ label: options.label }) } : {}) } as DockerodeNs.NetworkListOptions),
    );
    return rows.map((n) => ({
      id: n.Id,
      name: n.Name,
      driver: n.Driver,
      scope: n.Scope,
      subnets: (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((x): x is string => !!x),
      gateways: (n.IPAM?.Config ?? []).map((c) => c.Gateway).filter((x): x is string => !!x),
      internal: n.Internal === true,
      created: n.Created ? Date.parse(n.Created) || 0 : 0,
      labels: n.Labels ?? {},
    }));
  }

  /** `GET /networks/{id}`, raw, for the Inspect editor (it lists the attached containers with their addresses). */
  async inspectNetwork(idOrName: string): Promise<Record<string, unknown>> {
    return (await this.read(`inspect network ${idOrName}`, () => this.docker().getNetwork(idOrName).inspect())) as unknown as Record<string, unknown>;
  }

  /**
   * `POST /networks/create` with the bridge driver (`docker network create [--subnet S] name`).
   * @param subnet IPv4 CIDR, already validated (src/core/network/networks.ts `parseSubnet`); the engine's IPAM picks one when omitted
   * @returns the network id
   * @throws EngineError 'conflict' when the name exists; 'engine' when the subnet overlaps another network's
   */
  async createNetwork(req: { name: string; subnet?: string; labels?: Record<string, string> }): Promise<string> {
    const n = await this.call(`create network ${req.name}`, (abortSignal) =>
      this.docker().createNetwork({
        Name: req.name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: { [CREATED_BY_LABEL]: CREATED_BY_VALUE, ...(req.labels ?? {}) },
        ...(req.subnet ? { IPAM: { Driver: 'default', Config: [{ Subnet: req.subnet }] } } : {}),
        abortSignal,
      } as DockerodeNs.NetworkCreateOptions),
    );
    return n.id;
  }

  /** `DELETE /networks/{id}`; the engine refuses while a container is attached ('engine': "has active endpoints"). */
  async removeNetwork(idOrName: string): Promise<void> {
    await this.call(`remove network ${idOrName}`, (abortSignal) => this.docker().getNetwork(idOrName).remove({ abortSignal }));
  }

  /** `POST /networks/prune`: removes user-defined networks no container uses; `label` narrows it (tests). */
  async pruneNetworks(label?: LabelFilter): Promise<PruneResult> {
    const r = (await this.call('prune networks', () => this.docker().pruneNetworks(label ? { filters: { label } } : {}))) as { NetworksDeleted?: string[] };
    return { removed: r.NetworksDeleted ?? [], spaceReclaimed: 0 };
  }

  /** `POST /networks/{id}/connect` (`docker network connect`). */
  async connectNetwork(network: string, container: string): Promise<void> {
    await this.call(`connect ${container} to network ${network}`, (abortSignal) =>
      this.docker().getNetwork(network).connect({ Container: container, abortSignal } as DockerodeNs.NetworkConnectOptions),
    );
  }

  /** `POST /networks/{id}/disconnect` (`docker network disconnect`). */
  async disconnectNetwork(network: string, container: string): Promise<void> {
    await this.call(`disconnect ${container} from network ${network}`, (abortSignal) =>
      this.docker().getNetwork(network).disconnect({ Container: container, Force: false, abortSignal }) as Promise<unknown>,
    );
  }
}
