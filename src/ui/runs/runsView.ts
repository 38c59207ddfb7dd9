/**
 * The Runs view: recorded runs grouped by profile (guided runs in their own group), newest
 * first in each group. Tags in `contextValue`: `run;<status>;` plus `hasArtifacts;`.
 */
import * as vscode from 'vscode';
import { CommandIds } from '../../core/ids';
import { formatDuration } from '../../core/logs/urls';
import { formatBytes } from '../../core/format';
import { formatMetricValue, type RunRecord } from '../../core/runs/record';
import type { RunHistory } from '../shared/runHistory';

export type RunNode = { kind: 'group'; label: string; runs: RunRecord[] } | { kind: 'run'; record: RunRecord };

/** The group a run is listed under. */
export const groupOf = (r: RunRecord) => (r.profile ? `profile: ${r.profile}` : 'guided runs');

/** `run;exited;hasArtifacts;` */
export function runTags(r: RunRecord): string {
  return `run;${r.status};${r.artifacts ? 'hasArtifacts;' : ''}`;
}

export class RunsProvider implements vscode.TreeDataProvider<RunNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly history: RunHistory) {
    this.sub = history.onDidChange(() => this.refresh());
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  getChildren(node?: RunNode): RunNode[] {
    if (node?.kind === 'group') return node.runs.map((record) => ({ kind: 'run', record }));
    if (node) return [];
    const groups = new Map<string, RunRecord[]>();
    for (const r of this.history.list()) {
      const g = groupOf(r);
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g)!.push(r);
    }
    // groups in the order of their newest run (list() is newest first)
    return [...groups].map(([label, runs]) => ({ kind: 'group', label, runs }));
  }

  getTreeItem(node: RunNode): vscode.TreeItem {
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `group:${node.label}`;
      item.description = `${node.runs.length} run${node.runs.length === 1 ? '' : 's'}`;
      item.contextValue = 'runGroup;';
      return item;
    }
    const r = node.record;
    const when = new Date(r.startedAt);
    const label = `${when.toLocaleDateString()} ${when.toLocaleTimeString()}`;
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = `run:${r.id}`;
    const outcome = r.status === 'running' ? 'running' : r.status === 'lost' ? 'outcome unknown' : `exit ${r.exitCode}`;
    const metrics = Object.entries(r.metrics)
      .slice(0, 3)
      .map(([n, m]) => `${n} ${formatMetricValue(m.final)}`)
      .join(', ');
    item.description = [r.source === 'debug' ? 'debug run' : '', outcome, r.durationMs !== undefined ? formatDuration(r.durationMs) : '', metrics].filter(Boolean).join(' · ');
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${r.containerName}** from \`${r.image.reference}\`\n\n`);
    md.appendMarkdown(`- image: \`${r.image.repoDigests[0] ?? r.image.id ?? 'unknown'}\`\n`);
    md.appendMarkdown(`- engine: ${r.engine}\n`);
    md.appendMarkdown(`- git: ${r.git ? `${r.git.commit.slice(0, 12)}${r.git.dirty ? ' (dirty)' : ''}` : 'not a git repository'}\n`);
    if (r.request.envNames.length) md.appendMarkdown(`- env: ${r.request.envNames.join(', ')}\n`);
    for (const [n, m] of Object.entries(r.metrics)) md.appendMarkdown(`- ${n}: final ${formatMetricValue(m.final)}, best ${formatMetricValue(m.best)}\n`);
    if (r.artifacts) md.appendMarkdown(`- artifacts: ${r.artifacts.files.length} files, ${formatBytes(r.artifacts.totalBytes)}\n`);
    item.tooltip = md;
    item.iconPath = new vscode.ThemeIcon(
      r.status === 'running' ? 'sync~spin' : r.exitCode === 0 ? 'pass' : 'error',
      new vscode.ThemeColor(r.status === 'running' ? 'charts.blue' : r.exitCode === 0 ? 'charts.green' : 'charts.red'),
    );
    item.contextValue = runTags(r);
    item.command = { command: CommandIds.runOpen, title: 'Open Training Run', arguments: [node] };
    return item;
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}
