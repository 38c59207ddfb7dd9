/**
 * The Engines view: every engine the user can switch to — the setting, the default
 * engine (DOCKER_HOST or the local socket) and each Docker context the CLI knows — with whether
 * it answers and what it is (`GET /info`: version, platform, CPUs, memory, GPU runtime). The
 * current one is ticked. Probes run in the background (5 s each, in parallel) and never ask
 * about an unknown SSH host key: that question comes when the engine is used.
 */
import * as vscode from 'vscode';
import { engineTags, listEngines, type EngineEntry } from '../../core/contexts';
import { nodeConnectionInputs } from '../../core/connection';
import type { EngineInfo } from '../../core/engineTypes';
import { formatBytes } from '../../core/format';
import { Engine } from '../../engine/engine';
import { CommandIds } from '../../core/ids';
import { config } from '../base/config';
import { describeError } from '../base/session';

/** What changes on a Podman engine (README "Podman"). */
const PODMAN_NOTE = 'Podman\'s Docker-compatible API: builds use Buildah (no BuildKit), loaded images are named localhost/<name>, no Swarm.';

type Probe = { info: EngineInfo } | { error: string } | 'checking';

/**
 * The row that invites to add a remote engine while no listed engine is on another machine (only
 * local sockets: the default engine, a local context or setting). The view always lists the default engine, so VS Code would never show
 * welcome content in it: the invitation is a row.
 */
export interface AddEngineRow {
  id: 'add';
  kind: 'add';
}
type EnginesNode = EngineEntry | AddEngineRow;

export class EnginesProvider implements vscode.TreeDataProvider<EnginesNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<EnginesNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private probes = new Map<string, Probe>();
  private entries: EngineEntry[] = [];

  /** Lists the engines again and probes each one. */
  refresh(): void {
    this.probes = new Map();
    this.changed.fire(undefined);
  }

  /** The entries last listed (tests, pickers). */
  current(): readonly EngineEntry[] {
    return this.entries;
  }

  /** The probe result of an entry, once known. */
  probe(id: string): Probe | undefined {
    return this.probes.get(id);
  }

  getChildren(parent?: EnginesNode): EnginesNode[] {
    if (parent) return [];
    this.entries = listEngines(nodeConnectionInputs(config.dockerHost(), config.engineContext()));
    for (const e of this.entries) if (!this.probes.has(e.id)) this.startProbe(e);
    const onlyLocal = !this.entries.some((e) => e.address && e.address.kind !== 'socket');
    return onlyLocal ? [...this.entries, { id: 'add', kind: 'add' }] : this.entries;
  }

  private startProbe(e: EngineEntry): void {
    if (!e.connection) {
      this.probes.set(e.id, { error: e.error ?? 'cannot be used' });
      return;
    }
    this.probes.set(e.id, 'checking');
    const engine = new Engine(e.connection, 5_000);
    const probes = this.probes;
    void engine.info().then(
      (info) => probes.set(e.id, { info }),
      (err: unknown) => probes.set(e.id, { error: describeError(err) }),
    ).finally(() => {
      engine.close();
      if (this.probes === probes) this.changed.fire(undefined);
    });
  }

  getTreeItem(e: EnginesNode): vscode.TreeItem {
    if (e.kind === 'add') {
      const item = new vscode.TreeItem('Add a remote engine (a GPU server over SSH or TLS)...', vscode.TreeItemCollapsibleState.None);
      item.id = 'engine:add';
      item.iconPath = new vscode.ThemeIcon('add');
      item.tooltip = 'Writes a Docker context, so `docker context ls` lists it too; Use This Engine then switches every view to it.';
      item.contextValue = 'engineAdd;';
      item.command = { command: CommandIds.engineAdd, title: 'Add Engine...' };
      return item;
    }
    const p = this.probes.get(e.id);
    const item = new vscode.TreeItem(e.label, vscode.TreeItemCollapsibleState.None);
    item.id = `engine:${e.id}`;
    const where = e.description ?? '';
    let state: string;
    if (!p || p === 'checking') state = 'checking…';
    else if ('error' in p) state = 'not reachable';
    else state = `${p.info.product === 'podman' ? 'Podman' : 'Docker'} ${p.info.serverVersion} · ${p.info.platform} · ${p.info.cpus} CPUs · ${formatBytes(p.info.memoryBytes)} · ${p.info.gpuRuntime ? 'GPU runtime' : 'no GPU runtime'}`;
    item.description = [e.current ? 'current' : '', where, state].filter(Boolean).join(' · ');
    const lines = [`${e.label}${e.current ? ' (current)' : ''}${e.cliCurrent ? ' — the Docker CLI\'s current context' : ''}`, where];
    if (p && p !== 'checking' && 'info' in p) {
      lines.push(`${p.info.operatingSystem}`, `Swarm: ${p.info.swarm}`);
      if (p.info.product === 'podman') lines.push(PODMAN_NOTE);
    }
    if (p && p !== 'checking' && 'error' in p) lines.push(p.error);
    if (e.error) lines.push(e.error);
    item.tooltip = lines.filter(Boolean).join('\n');
    const reachable = p && p !== 'checking' && 'info' in p;
    item.iconPath = new vscode.ThemeIcon(
      e.current ? 'pass-filled' : reachable ? 'server' : p === 'checking' ? 'loading~spin' : 'warning',
      e.current ? new vscode.ThemeColor('charts.green') : undefined,
    );
    item.contextValue = engineTags(e);
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
