/**
 * Tree node models for the Networks view: one row per network with its driver,
 * scope, subnet and the containers attached (as children). Tags: `network;builtin;`,
 * `network;inUse;`, `network;` (menus offer Remove only on the last), `networkContainer;`.
 */
import type { NetworkSummary } from '../engineTypes';
import { formatAge } from '../format';
import { isBuiltinNetwork } from '../network/networks';
import type { NodeModel } from './models';

/** `network;builtin;inUse;` — the tags menus match on. */
export function networkContextValue(n: NetworkSummary, attached: string[]): string {
  return `network;${isBuiltinNetwork(n) ? 'builtin;' : ''}${attached.length ? 'inUse;' : ''}`;
}

/**
 * Network rows sorted by name, user-defined ones first.
 * @param attached network name -> names of the containers attached (src/core/network/networks.ts `networkUsage`)
 */
export function networkNodes(networks: NetworkSummary[], attached: Map<string, string[]>, nowMs: number): NodeModel[] {
  return networks
    .map((n): NodeModel => {
      const users = [...(attached.get(n.name) ?? [])].sort();
      const subnet = n.subnets.join(', ');
      const builtin = isBuiltinNetwork(n);
      return {
        kind: 'network',
        id: `network:${n.id}`,
        label: n.name,
        description: [n.driver, n.scope, ...(subnet ? [subnet] : []), users.length ? `${users.length} container${users.length === 1 ? '' : 's'}` : 'unused'].join(' · '),
        tooltip: [
          `Network ${n.name} (${n.id.slice(0, 12)})${builtin ? " — one of Docker's own" : ''}`,
          `Driver: ${n.driver}`,
          `Scope: ${n.scope}`,
          ...(subnet ? [`Subnet: ${subnet}`] : []),
          ...(n.gateways.length ? [`Gateway: ${n.gateways.join(', ')}`] : []),
          ...(n.internal ? ['Internal: no outside access'] : []),
          ...(n.created ? [`Created: ${new Date(n.created).toISOString()} (${formatAge(n.created, nowMs)})`] : []),
          `Containers: ${users.length ? users.join(', ') : 'none'}`,
          ...Object.entries(n.labels).map(([k, v]) => `Label: ${k}=${v}`),
        ].join('\n'),
        iconId: builtin ? 'globe' : 'type-hierarchy',
        iconColor: users.length ? 'charts.green' : undefined,
        contextValue: networkContextValue(n, users),
        ref: n.name,
        children: users.map(
          (c): NodeModel => ({
            kind: 'networkContainer',
            id: `network:${n.id}:container:${c}`,
            label: c,
            description: 'attached',
            tooltip: `Container ${c} is attached to ${n.name}`,
            iconId: 'vm',
            contextValue: 'networkContainer;',
            ref: `${n.name}\n${c}`,
          }),
        ),
        expanded: false,
        created: n.created,
        searchText: `${n.driver} ${n.scope} ${subnet} ${users.join(' ')}`,
      };
    })
    .sort((a, b) => Number(a.contextValue?.includes('builtin;')) - Number(b.contextValue?.includes('builtin;')) || a.label.localeCompare(b.label));
}
